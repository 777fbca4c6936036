package io.rtcdp.jobs.cli;

import io.rtcdp.udf.retail.RetailImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rtcdp import-retail}: UCI Online Retail II → events (docs/contract.md §1). */
@Command(
        name = "import-retail",
        mixinStandardHelpOptions = true,
        description =
                "Turns the UCI Online Retail II CSV into events (docs/contract.md §1): one order_completed per"
                        + " invoice (order_refunded for invoices starting with C), its product lines"
                        + " as props.items.")
public final class ImportRetailCommand implements Callable<Integer> {
    @Option(
            names = "--input",
            paramLabel = "CSV",
            defaultValue = "data/online-retail-ii.csv.gz",
            description = "The data set, .csv or .csv.gz (default: ${DEFAULT-VALUE}).")
    Path input;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE",
            description = "Output event file, .jsonl or .jsonl.gz.")
    Path out;

    @Option(
            names = "--tenant",
            defaultValue = RetailImporter.DEFAULT_TENANT,
            description = "Tenant of the events (default: ${DEFAULT-VALUE}).")
    String tenant;

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(input)) {
            throw new IllegalArgumentException(
                    "cannot read " + input + "; give the data set with --input FILE");
        }
        long start = System.nanoTime();
        RetailImporter.Stats s = RetailImporter.run(input, out, tenant);
        System.out.printf(
                "%d rows read, %d without customer skipped; %d events written to %s (%d orders, %d"
                        + " refunds) for %d customers in %.1f s; %d events with only the most"
                        + " valuable of their product lines as items (to fit 64 KiB)%n",
                s.rows(),
                s.skippedNoCustomer(),
                s.invoices(),
                out,
                s.orders(),
                s.refunds(),
                s.customers(),
                (System.nanoTime() - start) / 1e9,
                s.itemsCut());
        return 0;
    }
}

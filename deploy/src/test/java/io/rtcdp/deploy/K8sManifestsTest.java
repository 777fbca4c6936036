package io.rtcdp.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.rtcdp.jobs.ConfigLoader;
import io.rtcdp.jobs.Environments;
import io.rtcdp.jobs.RtcdpConfig;
import io.rtcdp.jobs.RtcdpOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kubernetes manifests in {@code k8s/}: every {@code FlinkDeployment} and {@code
 * FlinkSessionJob} (the base and each overlay rendered as kustomize would) is valid against the
 * Flink Kubernetes Operator's CRD schema (release 1.15.0, {@code
 * deploy/src/test/resources/k8s-crds/}), unknown fields rejected as {@code kubectl apply} (strict
 * field validation) would; every other manifest parses; and the pieces fit: each Secret and
 * ConfigMap key a pod refers to exists, the config file the job reads is a valid rtcdp
 * configuration whose {@code ${env:...}} variables the pod sets, the jar the image holds is the one
 * the build makes, the image is the one the README builds.
 */
class K8sManifestsTest {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final Path REPO = Path.of(System.getProperty("rtcdp.repo", "..")).toAbsolutePath();
    static final Path K8S = REPO.resolve("k8s");
    static final Path CRDS = REPO.resolve("deploy/src/test/resources/k8s-crds");

    static Map<String, JsonSchema> schemas = new HashMap<>();

    @BeforeAll
    static void loadCrds() throws IOException {
        if (!Files.isDirectory(CRDS)) {
            fail(
                    "the Flink Kubernetes Operator CRDs (release 1.15.0) are not at "
                            + CRDS
                            + ": this test validates k8s/ against them; put the operator's"
                            + " helm/flink-kubernetes-operator/crds/*.yml there");
        }
        for (String kind : List.of("FlinkDeployment", "FlinkSessionJob")) {
            Path file =
                    CRDS.resolve(
                            kind.toLowerCase(java.util.Locale.ROOT) + "s.flink.apache.org-v1.yml");
            assertThat(file).as("CRD of %s", kind).isRegularFile();
            schemas.put(kind, CrdSchema.of(YAML.readTree(file.toFile())));
        }
    }

    @Test
    void everyManifestParsesAndNamesItsKind() throws IOException {
        List<Path> files = yamlFiles();
        assertThat(files).isNotEmpty();
        for (Path f : files) {
            for (JsonNode doc : docs(f)) {
                String where = K8S.relativize(f).toString();
                assertThat(doc.path("apiVersion").asText())
                        .as("apiVersion in %s", where)
                        .isNotEmpty();
                assertThat(doc.path("kind").asText()).as("kind in %s", where).isNotEmpty();
                if (!doc.path("kind").asText().equals("Kustomization")) {
                    assertThat(doc.path("metadata").path("name").asText())
                            .as("metadata.name of a %s in %s", doc.path("kind").asText(), where)
                            .isNotEmpty();
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void flinkResourcesAreValidAgainstTheOperatorsCrds(String dir) throws IOException {
        List<JsonNode> rendered = render(K8S.resolve(dir));
        List<JsonNode> flink =
                rendered.stream()
                        .filter(d -> schemas.containsKey(d.path("kind").asText()))
                        .toList();
        assertThat(flink).as("Flink resources in %s", dir).isNotEmpty();
        for (JsonNode d : flink) {
            assertThat(errors(d))
                    .as("%s %s in %s", d.path("kind").asText(), name(d), dir)
                    .isEmpty();
        }
    }

    @Test
    void theValidationCatchesWhatTheApiServerWouldRefuse() throws IOException {
        JsonNode good = deployment(render(K8S.resolve("base")));
        assertThat(errors(good)).isEmpty();

        ObjectNode unknownInJob = good.deepCopy();
        ((ObjectNode) unknownInJob.path("spec").path("job")).put("upgradeMod", "savepoint");
        assertThat(errors(unknownInJob)).anyMatch(m -> m.contains("upgradeMod"));

        ObjectNode unknownInSpec = good.deepCopy();
        ((ObjectNode) unknownInSpec.path("spec")).put("taskManagers", 2);
        assertThat(errors(unknownInSpec)).anyMatch(m -> m.contains("taskManagers"));

        ObjectNode unknownInPod = good.deepCopy();
        ((ObjectNode)
                        unknownInPod
                                .path("spec")
                                .path("podTemplate")
                                .path("spec")
                                .path("containers")
                                .get(0))
                .put("envv", "x");
        assertThat(errors(unknownInPod)).anyMatch(m -> m.contains("envv"));

        ObjectNode badEnum = good.deepCopy();
        ((ObjectNode) badEnum.path("spec").path("job")).put("upgradeMode", "snapshot");
        assertThat(errors(badEnum)).isNotEmpty();

        ObjectNode badVersion = good.deepCopy();
        ((ObjectNode) badVersion.path("spec")).put("flinkVersion", "v2_9");
        assertThat(errors(badVersion)).isNotEmpty();

        ObjectNode badType = good.deepCopy();
        ((ObjectNode) badType.path("spec").path("jobManager").path("resource")).put("cpu", "one");
        assertThat(errors(badType)).isNotEmpty();

        // int-or-string and free-form flinkConfiguration stay accepted
        ObjectNode free = good.deepCopy();
        ((ObjectNode) free.path("spec").path("flinkConfiguration")).put("any.flink.option", "1");
        assertThat(errors(free)).isEmpty();
    }

    @Test
    void theDeploymentIsTheOneThisRepositoryDescribes() throws IOException {
        JsonNode d = deployment(render(K8S.resolve("base")));
        JsonNode spec = d.path("spec");
        assertThat(spec.path("flinkVersion").asText()).isEqualTo("v2_2");
        assertThat(spec.path("job").path("upgradeMode").asText()).isEqualTo("savepoint");
        // what the job runs with: the deployment's configuration, and what the job adds to it
        Configuration cluster = clusterConfiguration(spec);
        Map<String, String> effective = new HashMap<>(cluster.toMap());
        effective.putAll(
                Environments.jobConfiguration(
                                ConfigLoader.create().flinkConfiguration(cluster).load(), cluster)
                        .toMap());
        assertThat(effective)
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("execution.checkpointing.incremental", "true")
                .containsEntry("execution.checkpointing.mode", "EXACTLY_ONCE")
                .containsEntry("execution.checkpointing.interval", "30 s")
                .containsEntry("parallelism.default", "2")
                .containsEntry("high-availability.type", "kubernetes");
        assertThat(effective.get("execution.checkpointing.dir")).startsWith("s3://");
        assertThat(spec.path("job").path("entryClass").asText())
                .isEqualTo(io.rtcdp.jobs.cli.JobCli.class.getName());

        // the jar: the build makes jobs/target/<name>, the image copies it to usrlib, jarURI runs
        // it
        String jarUri = spec.path("job").path("jarURI").asText();
        Matcher uri = Pattern.compile("local:///opt/flink/usrlib/([^/]+\\.jar)").matcher(jarUri);
        assertThat(uri.matches()).as("jarURI %s", jarUri).isTrue();
        String jar = uri.group(1);
        String pom = Files.readString(REPO.resolve("jobs/pom.xml"));
        assertThat(pom)
                .as("jobs/pom.xml shades into %s", jar)
                .contains("<outputFile>${project.build.directory}/" + jar + "</outputFile>");
        assertThat(REPO.resolve("jobs/target").resolve(jar)).as("the built jar").isRegularFile();
        String dockerfile = Files.readString(K8S.resolve("Dockerfile"));
        assertThat(dockerfile)
                .containsPattern(
                        "(?m)^COPY .*jobs/target/"
                                + Pattern.quote(jar)
                                + " /opt/flink/usrlib/"
                                + Pattern.quote(jar)
                                + "$")
                .containsPattern("(?m)^FROM flink:2\\.2\\.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod"})
    void everyReferenceOfAnOverlayResolves(String dir) throws IOException {
        Path overlay = K8S.resolve(dir);
        List<JsonNode> rendered = render(overlay);
        List<JsonNode> defined = new ArrayList<>(rendered);
        Path template = overlay.resolve("secrets.template.yaml");
        if (Files.exists(template)) {
            defined.addAll(docs(template)); // created from the secret manager, not applied
        }
        Map<String, Set<String>> secrets = keysOf(defined, "Secret");
        Map<String, Set<String>> configMaps = keysOf(defined, "ConfigMap");

        List<String> missing = missingReferences(rendered, secrets, configMaps);
        assertThat(missing).as("references without a definition in %s", dir).isEmpty();

        // the image is one the README builds (or tags and pushes)
        JsonNode d = deployment(rendered);
        String readme = Files.readString(K8S.resolve("README.md"));
        String image = d.path("spec").path("image").asText();
        assertThat(readme)
                .as("k8s/README.md builds or tags the image %s", image)
                .containsPattern(
                        "docker (build [^\\n]*-t|tag [^\\n]*) "
                                + Pattern.quote(image)
                                + "( |$|\\n)");

        // the config file the job reads: mounted from the ConfigMap, a valid rtcdp configuration
        // whose ${env:...} variables the container sets, parallelism as the operator's
        JsonNode spec = d.path("spec");
        List<String> args = new ArrayList<>();
        spec.path("job").path("args").forEach(a -> args.add(a.asText()));
        assertThat(args).startsWith("run", "--config");
        Path configPath = Path.of(args.get(2));
        JsonNode main = mainContainer(spec);
        String volume = null;
        for (JsonNode m : main.path("volumeMounts")) {
            if (m.path("mountPath").asText().equals(configPath.getParent().toString())) {
                volume = m.path("name").asText();
            }
        }
        assertThat(volume).as("a volume mounted at %s", configPath.getParent()).isNotNull();
        String configMap = null;
        for (JsonNode v : spec.path("podTemplate").path("spec").path("volumes")) {
            if (v.path("name").asText().equals(volume)) {
                configMap = v.path("configMap").path("name").asText(null);
            }
        }
        assertThat(configMap).as("volume %s is a ConfigMap", volume).isNotNull();
        JsonNode cm = find(rendered, "ConfigMap", configMap);
        String file = cm.path("data").path(configPath.getFileName().toString()).asText(null);
        assertThat(file)
                .as("ConfigMap %s holds %s", configMap, configPath.getFileName())
                .isNotNull();

        Set<String> env = new HashSet<>();
        main.path("env").forEach(e -> env.add(e.path("name").asText()));
        Path tmp = Files.createTempFile("rtcdp", ".properties");
        Files.writeString(tmp, file, StandardCharsets.UTF_8);
        Configuration cluster = clusterConfiguration(spec);
        RtcdpConfig cfg =
                // values as long as a real secret must be (32 bytes at least)
                ConfigLoader.withEnvironment(
                                n -> env.contains(n) ? "value-of-" + n + "-0123456789abcdef" : null)
                        .flinkConfiguration(cluster)
                        .file(tmp)
                        .load();
        Files.delete(tmp);
        assertThat(cfg.get(RtcdpOptions.PARALLELISM))
                .as("the job's parallelism is spec.job.parallelism")
                .isEqualTo(spec.path("job").path("parallelism").asInt());
        assertThat(cfg.get(RtcdpOptions.CHECKPOINT_INTERVAL))
                .as("the checkpoint interval is the flinkConfiguration's")
                .isEqualTo(cluster.get(CheckpointingOptions.CHECKPOINTING_INTERVAL));
        // every setting in one place: the file names none that Flink's configuration decides
        for (RtcdpOptions.FlinkEquivalent<?> e : RtcdpOptions.FLINK_EQUIVALENTS) {
            assertThat(file)
                    .as(
                            "rtcdp.properties leaves %s to Flink's %s",
                            e.rtcdp().key(), e.flink().key())
                    .doesNotContainPattern(
                            "(?m)^\\s*" + Pattern.quote(e.rtcdp().key()) + "\\s*[=:]");
        }
        assertThat(cfg.get(RtcdpOptions.REDIS_URL)).contains("value-of-RTCDP_REDIS_PASSWORD");
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void theDeploymentRepeatsNoFlinkSettingOfTheJob(String dir) throws IOException {
        Map<String, String> flinkConfiguration = new HashMap<>();
        deployment(render(K8S.resolve(dir)))
                .path("spec")
                .path("flinkConfiguration")
                .fields()
                .forEachRemaining(e -> flinkConfiguration.put(e.getKey(), e.getValue().asText()));
        Map<String, String> job = Environments.jobConfiguration(RtcdpConfig.defaults()).toMap();
        List<String> repeated =
                job.entrySet().stream()
                        .filter(e -> e.getValue().equals(flinkConfiguration.get(e.getKey())))
                        .map(e -> e.getKey() + ": " + e.getValue())
                        .toList();
        assertThat(repeated)
                .as("flinkConfiguration in %s repeats what the job sets itself (Environments)", dir)
                .isEmpty();
    }

    /** The configuration Flink has in the deployment: flinkConfiguration and job.parallelism. */
    static Configuration clusterConfiguration(JsonNode spec) {
        Map<String, String> m = new HashMap<>();
        spec.path("flinkConfiguration")
                .fields()
                .forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        if (spec.path("job").has("parallelism")) {
            // the operator sets parallelism.default from it
            m.put("parallelism.default", spec.path("job").path("parallelism").asText());
        }
        return Configuration.fromMap(m);
    }

    @Test
    void aReferenceToAMissingKeyOrSecretIsFound() throws IOException {
        List<JsonNode> rendered = render(K8S.resolve("overlays/dev"));
        Map<String, Set<String>> secrets = keysOf(rendered, "Secret");
        Map<String, Set<String>> configMaps = keysOf(rendered, "ConfigMap");
        assertThat(missingReferences(rendered, secrets, configMaps)).isEmpty();
        ObjectNode env =
                (ObjectNode) mainContainer(deployment(rendered).path("spec")).path("env").get(0);
        ((ObjectNode) env.path("valueFrom").path("secretKeyRef")).put("key", "pasword");
        assertThat(missingReferences(rendered, secrets, configMaps))
                .containsExactly("rtcdp: Secret rtcdp-redis has no key pasword");
        ((ObjectNode) env.path("valueFrom").path("secretKeyRef")).put("name", "rtcdp-rediss");
        assertThat(missingReferences(rendered, secrets, configMaps))
                .containsExactly("rtcdp: Secret rtcdp-rediss is not defined");
    }

    static List<String> missingReferences(
            List<JsonNode> rendered,
            Map<String, Set<String>> secrets,
            Map<String, Set<String>> configMaps) {
        List<String> missing = new ArrayList<>();
        for (JsonNode doc : rendered) {
            walk(
                    doc,
                    node -> {
                        check(node.path("secretKeyRef"), secrets, "Secret", missing, doc);
                        check(node.path("configMapKeyRef"), configMaps, "ConfigMap", missing, doc);
                        if (node.path("secret").has("secretName")) {
                            String s = node.path("secret").path("secretName").asText();
                            if (!secrets.containsKey(s)) {
                                missing.add(name(doc) + ": volume of Secret " + s);
                            }
                        }
                        if (node.path("configMap").has("name")) {
                            String c = node.path("configMap").path("name").asText();
                            if (!configMaps.containsKey(c)) {
                                missing.add(name(doc) + ": volume of ConfigMap " + c);
                            }
                        }
                    });
        }
        return missing;
    }

    // ---- rendering (kustomize's resources + patches; a patch of a custom resource is a JSON
    // merge patch, RFC 7386, which is what kustomize applies to kinds it has no schema for)

    static List<JsonNode> render(Path dir) throws IOException {
        JsonNode k = docs(dir.resolve("kustomization.yaml")).get(0);
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(render(p));
            } else {
                out.addAll(docs(p));
            }
        }
        for (JsonNode patch : k.path("patches")) {
            for (JsonNode pd : docs(dir.resolve(patch.path("path").asText()))) {
                JsonNode target = find(out, pd.path("kind").asText(), name(pd));
                merge((ObjectNode) target, pd);
            }
        }
        return out;
    }

    static void merge(ObjectNode target, JsonNode patch) {
        Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode t = target.get(e.getKey());
            if (e.getValue().isNull()) {
                target.remove(e.getKey());
            } else if (e.getValue().isObject() && t != null && t.isObject()) {
                merge((ObjectNode) t, e.getValue());
            } else {
                target.set(e.getKey(), e.getValue().deepCopy());
            }
        }
    }

    // ---- helpers

    static List<String> errors(JsonNode doc) {
        Set<ValidationMessage> msgs = schemas.get(doc.path("kind").asText()).validate(doc);
        return msgs.stream().map(ValidationMessage::getMessage).toList();
    }

    static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> s = Files.walk(K8S)) {
            return s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted()
                    .toList();
        }
    }

    static List<JsonNode> docs(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    static String name(JsonNode d) {
        return d.path("metadata").path("name").asText();
    }

    static JsonNode find(List<JsonNode> docs, String kind, String name) {
        return docs.stream()
                .filter(d -> d.path("kind").asText().equals(kind) && name(d).equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    static JsonNode deployment(List<JsonNode> docs) {
        return docs.stream()
                .filter(d -> d.path("kind").asText().equals("FlinkDeployment"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no FlinkDeployment"));
    }

    static JsonNode mainContainer(JsonNode spec) {
        for (JsonNode c : spec.path("podTemplate").path("spec").path("containers")) {
            if (c.path("name").asText().equals("flink-main-container")) {
                return c;
            }
        }
        throw new AssertionError("the pod template has no flink-main-container");
    }

    static Map<String, Set<String>> keysOf(List<JsonNode> docs, String kind) {
        Map<String, Set<String>> out = new HashMap<>();
        for (JsonNode d : docs) {
            if (d.path("kind").asText().equals(kind)) {
                Set<String> keys = out.computeIfAbsent(name(d), n -> new TreeSet<>());
                d.path("data").fieldNames().forEachRemaining(keys::add);
                d.path("stringData").fieldNames().forEachRemaining(keys::add);
            }
        }
        return out;
    }

    static void check(
            JsonNode ref,
            Map<String, Set<String>> defined,
            String kind,
            List<String> missing,
            JsonNode doc) {
        if (ref.isMissingNode()) {
            return;
        }
        String n = ref.path("name").asText();
        String k = ref.path("key").asText();
        if (!defined.containsKey(n)) {
            missing.add(name(doc) + ": " + kind + " " + n + " is not defined");
        } else if (!defined.get(n).contains(k)) {
            missing.add(name(doc) + ": " + kind + " " + n + " has no key " + k);
        }
    }

    static void walk(JsonNode n, java.util.function.Consumer<JsonNode> f) {
        if (n.isObject()) {
            f.accept(n);
            n.elements().forEachRemaining(c -> walk(c, f));
        } else if (n.isArray()) {
            n.elements().forEachRemaining(c -> walk(c, f));
        }
    }

    /** A CRD's {@code openAPIV3Schema} as a JSON Schema (draft 4) of the whole resource. */
    static final class CrdSchema {
        static JsonSchema of(JsonNode crd) {
            String group = crd.path("spec").path("group").asText();
            String kind = crd.path("spec").path("names").path("kind").asText();
            JsonNode version = null;
            for (JsonNode v : crd.path("spec").path("versions")) {
                if (v.path("storage").asBoolean()) {
                    version = v;
                }
            }
            assertThat(version).as("storage version of %s", kind).isNotNull();
            ObjectNode s = convert(version.path("schema").path("openAPIV3Schema"));
            ObjectNode props = (ObjectNode) s.get("properties");
            JsonNodeFactory f = JsonNodeFactory.instance;
            props.set(
                    "apiVersion",
                    f.objectNode()
                            .set(
                                    "enum",
                                    f.arrayNode()
                                            .add(group + "/" + version.path("name").asText())));
            props.set("kind", f.objectNode().set("enum", f.arrayNode().add(kind)));
            ObjectNode meta = f.objectNode().put("type", "object");
            ObjectNode mp = meta.putObject("properties");
            mp.putObject("name").put("type", "string");
            mp.putObject("namespace").put("type", "string");
            mp.putObject("labels")
                    .put("type", "object")
                    .putObject("additionalProperties")
                    .put("type", "string");
            mp.putObject("annotations")
                    .put("type", "object")
                    .putObject("additionalProperties")
                    .put("type", "string");
            meta.put("additionalProperties", false);
            meta.set("required", f.arrayNode().add("name"));
            props.set("metadata", meta);
            s.set(
                    "required",
                    f.arrayNode().add("apiVersion").add("kind").add("metadata").add("spec"));
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(s);
        }

        /**
         * OpenAPI v3 (Kubernetes structural schema) to JSON Schema: objects with properties allow
         * no other field unless {@code x-kubernetes-preserve-unknown-fields}; int-or-string is
         * integer or string; {@code nullable} allows null; {@code format} and other {@code
         * x-kubernetes-*} keys are dropped.
         */
        static ObjectNode convert(JsonNode in) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            boolean preserve = in.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
            boolean intOrString = in.path("x-kubernetes-int-or-string").asBoolean(false);
            Iterator<Map.Entry<String, JsonNode>> it = in.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String k = e.getKey();
                JsonNode v = e.getValue();
                if (k.startsWith("x-kubernetes-") || k.equals("format") || k.equals("nullable")) {
                    continue;
                }
                switch (k) {
                    case "properties" -> {
                        ObjectNode p = out.putObject("properties");
                        v.fields()
                                .forEachRemaining(pe -> p.set(pe.getKey(), convert(pe.getValue())));
                    }
                    case "items" -> out.set("items", convert(v));
                    case "additionalProperties" ->
                            out.set("additionalProperties", v.isObject() ? convert(v) : v);
                    case "anyOf", "allOf", "oneOf" -> {
                        ArrayNode a = out.putArray(k);
                        v.forEach(x -> a.add(convert(x)));
                    }
                    default -> out.set(k, v);
                }
            }
            if (intOrString) {
                out.remove("type");
                out.remove("anyOf");
                ArrayNode a = out.putArray("anyOf");
                a.addObject().put("type", "integer");
                a.addObject().put("type", "string");
            }
            if (in.path("nullable").asBoolean(false) && out.has("type")) {
                out.set(
                        "type",
                        JsonNodeFactory.instance
                                .arrayNode()
                                .add(out.get("type").asText())
                                .add("null"));
            }
            if (out.has("properties") && !out.has("additionalProperties") && !preserve) {
                out.put("additionalProperties", false);
            }
            return out;
        }
    }
}

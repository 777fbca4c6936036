package io.rtcdp.udf.event;

import java.util.Objects;

/**
 * One order line of an {@code order_completed} or {@code order_refunded} event: an element of its
 * {@code props.items} (docs/contract.md §1). Lines of the same sku are separate lines.
 *
 * @param sku the product, trimmed, 1-{@value EventParser#MAX_SKU_LENGTH} characters
 * @param category the product's category, trimmed, null when absent
 * @param quantity units, 1-{@value EventParser#MAX_ITEM_QUANTITY}
 * @param priceMicros the unit price in millionths of the currency unit, 0 to 10^18 (10^12 units)
 */
public record OrderItem(String sku, String category, long quantity, long priceMicros) {
    public OrderItem {
        Objects.requireNonNull(sku, "sku");
    }
}

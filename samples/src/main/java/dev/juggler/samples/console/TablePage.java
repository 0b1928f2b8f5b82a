package dev.juggler.samples.console;

import dev.juggler.ledger.LedgerReader;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One page of a table view: its columns and rows of plain string cells (instants as ISO-8601 UTC, an empty
 * string for an absent value), how many rows match in all, and where the page starts. Cells are raw data:
 * escape them for the terminal ({@link dev.juggler.samples.config.Escape}) or for HTML before showing them.
 * Immutable and thread-safe.
 *
 * @param kind the table
 * @param columns the columns, in order
 * @param rows the rows; every row has one cell per column
 * @param total rows matching the filters in all pages, counted up to {@link LedgerReader#COUNT_LIMIT} + 1 (see
 *     {@link #totalIsLowerBound()})
 * @param offset the index of the first row of this page among all matching rows
 * @param limit the page size asked for
 */
public record TablePage(TableKind kind, List<Column> columns, List<List<String>> rows, long total, long offset, int limit) {

    public TablePage {
        Objects.requireNonNull(kind, "kind");
        columns = List.copyOf(columns);
        rows = rows.stream().map(List::copyOf).toList();
        for (List<String> row : rows) {
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException("a row has " + row.size() + " cells for " + columns.size() + " columns");
            }
        }
    }

    /** Whether more rows match than were counted: {@link #total()} then means "more than {@link LedgerReader#COUNT_LIMIT}". */
    public boolean totalIsLowerBound() {
        return total > LedgerReader.COUNT_LIMIT;
    }

    /** The total as people read it: {@code 1234}, or {@code more than 10000} when counting stopped there. */
    public String totalText() {
        return totalIsLowerBound() ? "more than " + LedgerReader.COUNT_LIMIT : Long.toString(total);
    }

    /** The offset of the next page, if there are rows after this one. */
    public OptionalLong nextOffset() {
        long next = offset + rows.size();
        // Past the counted rows a full page is the only sign that more may follow.
        boolean more = next < total || totalIsLowerBound() && rows.size() == limit;
        return !rows.isEmpty() && more ? OptionalLong.of(next) : OptionalLong.empty();
    }
}

"""How the hot tables are stored on PostgreSQL: migration operations (no-ops on SQLite).

A confirmation updates rows it wrote moments before (an intent becomes paid, a counter shard is
drawn on). PostgreSQL writes an update as a new row version; if the page has room, the version
stays on it and no index changes (a HOT update), otherwise every index of the table gets a new
entry. See docs/architecture.md, "Storage of the hot tables".
"""

from django.db import migrations


def fillfactor(table: str, percent: int) -> migrations.RunPython:
    """Fill new pages of ``table`` only to ``percent``, leaving the rest for updated versions."""

    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} SET (fillfactor = {int(percent)})")

    def revert(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} RESET (fillfactor)")

    return migrations.RunPython(apply, revert, elidable=False)


def drop_pattern_indexes(table: str, columns: list[str]) -> migrations.RunPython:
    """Drop the ``varchar_pattern_ops`` indexes Django adds beside a unique or indexed text column
    on PostgreSQL, for ``LIKE 'prefix%'`` queries: the platform never runs one on these columns
    (identifiers, statuses), and each costs an index entry per row written."""

    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_opclass o ON o.oid = x.indclass[0] "
                "JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0] "
                "WHERE x.indrelid = %s::regclass AND x.indnatts = 1 AND o.opcname = 'varchar_pattern_ops' AND a.attname = ANY(%s)",
                [table, columns],
            )
            names = [row[0] for row in cursor.fetchall()]
        for name in names:
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")

    def revert(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in columns:
            name = schema_editor._create_index_name(table, [column], suffix="_like")
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} ON {schema_editor.quote_name(table)} "
                                  f"({schema_editor.quote_name(column)} varchar_pattern_ops)")

    return migrations.RunPython(apply, revert, elidable=False)

"""Everything that touches SQL: the schema, migrations, and the queries the core runs."""

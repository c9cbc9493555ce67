-- Seeded bug `bola-read`: a "read model" for project lookups by id uses the BYPASSRLS worker connection.
GRANT SELECT ON projects TO reference_worker;

-- Seeded bug `bola-write`: project updates/deletes by id go through the BYPASSRLS worker connection.
GRANT SELECT, UPDATE, DELETE ON projects TO reference_worker;

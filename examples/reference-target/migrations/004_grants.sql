-- Least privilege. Tables carry no PUBLIC grants; each role gets exactly what the service uses.
GRANT USAGE ON SCHEMA public TO reference_app, reference_worker;

GRANT SELECT ON tenants TO reference_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON projects, documents TO reference_app;
GRANT SELECT, INSERT ON idempotency_keys TO reference_app;
GRANT SELECT, INSERT ON jobs TO reference_app;
GRANT SELECT, INSERT ON callback_deliveries TO reference_app;

-- Job lifecycle only (see 001_roles.sql): no access to projects, documents or any tenant content.
GRANT SELECT, UPDATE ON jobs TO reference_worker;

-- Seeded bug `idempotency-global`: the idempotency cache is read through the BYPASSRLS worker connection,
-- by key alone.
GRANT SELECT ON idempotency_keys TO reference_worker;

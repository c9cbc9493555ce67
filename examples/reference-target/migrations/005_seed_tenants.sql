-- The three tenants, created in this order (acme first: the "default" tenant buggy code falls back to).
INSERT INTO tenants (id, name, created_at) VALUES
  ('acme', 'Acme Corporation', '2024-01-01T00:00:00Z'),
  ('globex', 'Globex Corporation', '2024-01-02T00:00:00Z'),
  ('initech', 'Initech', '2024-01-03T00:00:00Z');

INSERT INTO products (sku, name, price_cents) VALUES ('tea', 'Green tea', 450), ('mug', 'Mug', 1200), ('pot', 'Teapot', 3900);
INSERT INTO orders (product_id, quantity, status, note) VALUES (1, 2, 'paid', 'seed-1'), (2, 1, 'new', 'seed-2'), (3, 1, 'shipped', 'seed-3');
INSERT INTO audit_log (message) VALUES ('baseline only: never copied to slices');

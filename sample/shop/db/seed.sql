-- A few orders so a fresh database has something to show (idempotent).
INSERT INTO shop.orders (id, sku, qty, coupon, subtotal, discount, total, created_at) VALUES
  ('00000000-0000-4000-8000-000000000001', 'book', 1, NULL, 24.50, 0, 24.50, now() - interval '2 days'),
  ('00000000-0000-4000-8000-000000000002', 'mug', 2, 'SAVE10', 18.00, 1.80, 16.20, now() - interval '1 day'),
  ('00000000-0000-4000-8000-000000000003', 'bulk-rice', 1, 'WELCOME5', 48.00, 5.00, 43.00, now() - interval '3 hours')
ON CONFLICT (id) DO NOTHING;

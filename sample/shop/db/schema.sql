-- The orders service's table (created at startup when missing: this file runs on every start).
CREATE TABLE IF NOT EXISTS orders (
  id         uuid PRIMARY KEY,
  sku        text NOT NULL,
  qty        integer NOT NULL CHECK (qty > 0),
  coupon     text,
  subtotal   numeric(12, 2) NOT NULL,
  discount   numeric(12, 2) NOT NULL DEFAULT 0,
  total      numeric(12, 2) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS orders_created_at ON orders (created_at DESC);

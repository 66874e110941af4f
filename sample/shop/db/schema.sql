-- The orders service's tables, in their own schema `shop` (created at startup when missing: this
-- file runs on every start of orders, so every statement is idempotent).
CREATE SCHEMA IF NOT EXISTS shop;
CREATE TABLE IF NOT EXISTS shop.orders (
  id         uuid PRIMARY KEY,
  sku        text NOT NULL,
  qty        integer NOT NULL CHECK (qty > 0),
  coupon     text,
  subtotal   numeric(12, 2) NOT NULL,
  discount   numeric(12, 2) NOT NULL DEFAULT 0,
  total      numeric(12, 2) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS orders_created_at ON shop.orders (created_at DESC);

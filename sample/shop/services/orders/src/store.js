'use strict';
// Where orders are kept: PostgreSQL when DATABASE_URL is set (schema `shop`, created if missing
// from db/schema.sql), else in memory (one process, gone at restart).
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { randomUUID } = require('node:crypto');
const { traced } = require('../../../telemetry/traced');
const { logger } = require('../../../telemetry/logger');

const SCHEMA = join(__dirname, '..', '..', '..', 'db', 'schema.sql');

function memoryStore() {
  const orders = new Map();
  return {
    kind: 'memory',
    async init() {},
    async save(order) {
      const saved = { id: randomUUID(), createdAt: new Date().toISOString(), ...order };
      orders.set(saved.id, saved);
      return saved;
    },
    async get(id) {
      return orders.get(id);
    },
    async close() {},
  };
}

const fromRow = (r) => ({ id: r.id, sku: r.sku, qty: r.qty, coupon: r.coupon, subtotal: Number(r.subtotal), discount: Number(r.discount), total: Number(r.total), createdAt: r.created_at.toISOString() });

function postgresStore(connectionString) {
  const { Pool } = require('pg');
  const pool = new Pool({ connectionString, max: 4, connectionTimeoutMillis: 5000 });
  return {
    kind: 'postgres',
    // The database may come up after this pod (a node restart starts both at once): keep trying,
    // with backoff, and stay unready (the readiness probe says so) until it answers.
    async init() {
      for (let attempt = 1, delay = 500; ; attempt++, delay = Math.min(delay * 2, 5000)) {
        try {
          await pool.query(readFileSync(SCHEMA, 'utf8'));
          return;
        } catch (err) {
          if (attempt >= 120) throw err;
          logger.warn({ err: { message: err.message }, attempt, retryInMs: delay }, 'PostgreSQL is not answering yet; retrying');
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    },
    async save(order) {
      const { rows } = await pool.query(
        'INSERT INTO shop.orders (id, sku, qty, coupon, subtotal, discount, total) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *',
        [randomUUID(), order.sku, order.qty, order.coupon ?? null, order.subtotal, order.discount, order.total],
      );
      return fromRow(rows[0]);
    },
    async get(id) {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
      const { rows } = await pool.query('SELECT * FROM shop.orders WHERE id = $1', [id]);
      return rows[0] ? fromRow(rows[0]) : undefined;
    },
    async close() {
      await pool.end();
    },
  };
}

/** The store for this process's environment. */
function createStore(env = process.env) {
  const store = env.DATABASE_URL ? postgresStore(env.DATABASE_URL) : memoryStore();
  return { ...store, save: traced(store.save, 'saveOrder'), get: traced(store.get, 'loadOrder') };
}

module.exports = { createStore };

'use strict';
// Data access for orders (compiled output: the container runs dist/).
const { Pool } = require('pg');

const pool = new Pool({ max: 5 });

class NotFoundError extends Error {
  constructor(message) {
    super(message);
    this.name = 'NotFoundError';
    this.status = 404;
  }
}

function toOrder(row) {
  return {
    id: row.id,
    customer: row.customer_id,
    total: Number(row.total_cents) / 100,
    items: row.items ?? [],
  };
}

class OrderService {
  constructor(db = pool) {
    this.db = db;
  }

  async listOrders(limit) {
    const { rows } = await this.db.query(
      'SELECT * FROM orders ORDER BY created_at DESC LIMIT $1',
      [Math.min(Number(limit) || 20, 100)],
    );
    return rows.map(toOrder);
  }

  /**
   * One order by id.
   * @param {number} id
   * @throws {NotFoundError} when there is no such order
   */
  async loadOrder(id) {
    const { rows } = await this.db.query('SELECT * FROM orders WHERE id = $1', [id]);
    if (rows.length === 1) {
      return toOrder(rows[0]);
    }
    throw new Error(`order ${id} not found`);
  }
}

module.exports = { OrderService, NotFoundError };

'use strict';
// Prices an order: quantity × unit price, minus the coupon. Coupons have an end date; an expired
// one is refused with an exception — which nothing catches, so the order fails with a 500
// (try coupon SUMMER23: the bug this sample ships with, for the editor to show you).
const { traced } = require('../../../telemetry/traced');

class CouponExpiredError extends Error {
  constructor(code, expired) {
    super(`coupon ${code} expired on ${expired}`);
    this.name = 'CouponExpiredError';
  }
}

const COUPONS = {
  SAVE10: { percent: 10, expires: '2099-12-31' },
  WELCOME5: { amount: 5, expires: '2099-12-31' },
  SUMMER23: { percent: 20, expires: '2023-09-30' },
};

/** The discount of `coupon` on `subtotal`; 0 for no coupon or an unknown one. */
function discountFor(subtotal, coupon, now = new Date()) {
  const c = COUPONS[coupon];
  if (!c) return 0;
  if (new Date(c.expires) < now) {
    throw new CouponExpiredError(coupon, c.expires);
  }
  return c.percent ? (subtotal * c.percent) / 100 : Math.min(c.amount, subtotal);
}

/** The price of `qty` items at `unitPrice` with an optional coupon, rounded to cents. */
function priceOrder(unitPrice, qty, coupon) {
  const subtotal = unitPrice * qty;
  const discount = coupon ? discountFor(subtotal, coupon) : 0;
  return { subtotal, discount, total: Math.round((subtotal - discount) * 100) / 100 };
}

module.exports = { priceOrder: traced(priceOrder), discountFor, CouponExpiredError };

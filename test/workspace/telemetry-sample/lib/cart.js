'use strict';
// The shopping cart kept in the session.
const MAX_ITEMS = 50;

class Cart {
  constructor(log) {
    this.items = [];
    this.log = log;
  }

  addItem(item) {
    if (this.items.length >= MAX_ITEMS - 5) this.log.warn({ size: this.items.length }, 'cart nearly full');
    this.items.push(item);
    return this.items.length;
  }
}

module.exports = { Cart };

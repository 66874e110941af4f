'use strict';
// What the warehouse holds. Bulk items are not on the shelf: they are looked up in the
// warehouse system, which is slow (this is the slow path the editor's latency lens shows).
const { traced } = require('../../../telemetry/traced');

const CATALOG = {
  book: { name: 'A Book About Kubernetes', price: 24.5, available: 12 },
  mug: { name: 'Slice Mug', price: 9, available: 40 },
  tea: { name: 'Green Tea (100 g)', price: 6.2, available: 0 },
  'bulk-rice': { name: 'Rice, 25 kg sack', price: 48, available: 3, bulk: true },
  'bulk-beans': { name: 'Coffee beans, 10 kg', price: 120, available: 5, bulk: true },
};

const WAREHOUSE_DELAY_MS = Number(process.env.WAREHOUSE_DELAY_MS || 700);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks the (simulated) warehouse system how many of a bulk item are left. */
const warehouseLookup = traced(async function warehouseLookup(sku) {
  await sleep(WAREHOUSE_DELAY_MS + Math.random() * 200);
  return CATALOG[sku].available;
});

/** The stock of one sku, or undefined when the shop does not sell it. */
const lookupStock = traced(async function lookupStock(sku) {
  const item = CATALOG[sku];
  if (!item) return undefined;
  const available = item.bulk ? await warehouseLookup(sku) : item.available;
  return { sku, name: item.name, price: item.price, available };
});

/** Every sku the shop sells, with its name and price. */
function listCatalog() {
  return Object.entries(CATALOG).map(([sku, item]) => ({ sku, name: item.name, price: item.price }));
}

module.exports = { lookupStock, listCatalog };

/**
 * Finding a point's series fast: a trie over the point's attribute (key, value) pairs in the order
 * the producer sent them. The decoders give repeated strings as the same string objects (the JSON
 * tape's and the protobuf reader's string caches), whose hashes V8 keeps, so each level is a lookup
 * without building or hashing a new string. Built as points come; the store's canonical key (sorted
 * attributes) stays the series' identity, so a set sent in two orders is still one series: the
 * trie is only a shortcut to it, and can be dropped at any time.
 */
import { type AttrValue, type Attributes } from '../model';

interface Node<T> {
  value: T | undefined;
  readonly next: Map<string, Map<unknown, Node<T>>>;
}

const newNode = <T>(): Node<T> => ({ value: undefined, next: new Map() });

/** A Map key for a value: primitives as they are (1 and '1' stay apart), anything else as tagged JSON. */
const valueKey = (v: AttrValue): unknown => (v === null || typeof v !== 'object' ? v : `\u0000${JSON.stringify(v)}`);

export class AttributeTrie<T> {
  private root: Node<T> = newNode();

  get(attributes: Attributes): T | undefined {
    let node: Node<T> | undefined = this.root;
    for (const k in attributes) {
      node = node.next.get(k)?.get(valueKey(attributes[k]!));
      if (!node) return undefined;
    }
    return node.value;
  }

  set(attributes: Attributes, value: T): void {
    let node = this.root;
    for (const k in attributes) {
      let values = node.next.get(k);
      if (!values) node.next.set(k, (values = new Map<unknown, Node<T>>()));
      const vk = valueKey(attributes[k]!);
      let child = values.get(vk);
      if (!child) values.set(vk, (child = newNode()));
      node = child;
    }
    node.value = value;
  }

  clear(): void {
    this.root = newNode();
  }
}

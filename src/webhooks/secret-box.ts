/**
 * Encrypts webhook signing secrets at rest: AES-256-GCM with a key derived
 * from SECRET_KEY by HKDF-SHA256, a random 96-bit nonce per secret, and the
 * webhook id as associated data so a ciphertext cannot be moved to another
 * webhook. Stored form: "v1." + base64(nonce ‖ tag ‖ ciphertext).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const VERSION = "v1.";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** HKDF context: a distinct key for this use of SECRET_KEY. */
const INFO = "sum webhooks signing secrets v1";
const SALT = "sum.v1.WebhooksService";

export class SecretBox {
  private readonly key: Buffer;

  constructor(secretKey: string) {
    this.key = Buffer.from(hkdfSync("sha256", secretKey, SALT, INFO, 32));
  }

  seal(plaintext: string, webhookId: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
    cipher.setAAD(Buffer.from(webhookId, "utf8"));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return VERSION + Buffer.concat([nonce, cipher.getAuthTag(), ciphertext]).toString("base64");
  }

  /** Throws when the stored value was not sealed with this key for this webhook. */
  open(sealed: string, webhookId: string): string {
    if (!sealed.startsWith(VERSION)) throw new Error("sealed secret has an unknown format");
    const bytes = Buffer.from(sealed.slice(VERSION.length), "base64");
    const decipher = createDecipheriv("aes-256-gcm", this.key, bytes.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(webhookId, "utf8"));
    decipher.setAuthTag(bytes.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
  }
}

/** Consumer-side idempotency: a processed-key store with atomic claims, and where keys come from. */
export { DEFAULT_KEY_HEADER, keyFromHeaders, processedBucketName, storageKey, validateBucketName } from './keys';
export {
	DEFAULT_LEASE_MS,
	DEFAULT_RETENTION_MS,
	ProcessedKeyStore,
	type Claim,
	type ClaimResult,
	type CompleteResult,
	type IdempotencyStats,
	type ProcessedStoreOptions,
} from './processedStore';

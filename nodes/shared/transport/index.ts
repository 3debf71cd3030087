/**
 * The transport layer: the only code that imports @nats-io/* at runtime. Everything else talks to
 * these functions and to the types they return.
 */
export { closeClient, createClient, type NatsClient } from './client';
export { openConnection, type TransportLogger } from './connect';
export { parseCredentials, secretValues, credentialsKey, type NatsCredentials } from './credentials';
export { testCredentials, type CredentialTestOutcome } from './credentialTest';
export { connectionPool, ConnectionPool, type ClientLease } from './pool';
export { isListSubject, KV_STREAM_PREFIX, OBJ_BUCKET_STREAM_PREFIX, listBuckets, listConsumers, listObjectBuckets, listStreams, namesSubjectOf, type BucketListing, type ConsumerListing, type StreamListing } from './names';
export { redact } from './redact';
export { streamVisible } from './subjectPrefix';
export {
	objectBucketStream,
	ObjectStoreAccess,
	type NewObject,
	type ObjectBucketOptions,
	type ObjectDownload,
	type StoredObject,
} from './objectStore';
export { type ByteCounter } from './byteStreams';
export { kvFlowControl, untilRefused, watchRefusals } from './refusals';
export {
	answerDelivery,
	publishWindowed,
	readLastOnSubject,
	requestReply,
	sendReplies,
	SERVICE_ERROR_CODE_HEADER,
	REQUEST_DEADLINE_HEADER,
	SERVICE_ERROR_HEADER,
	type OutgoingMessage,
	type PublishOutcome,
	type Reply,
} from './messaging';
export { headerValue, type HeaderRecord } from './headers';
export { type Expectations, type MessageSchedule } from './publish';
export { ATOMIC_MAX_MESSAGES, publishAtomic } from './atomic';
export { incrementCounter, readCounter, type CounterValue } from './counter';
export { readStoredMessage, type StoredMessage } from './streamIo';
export { createMissingStream, streamsStoring, type NewStream, type StreamCreation } from './streamCreate';
export { serveRequests, type IncomingRequest, type RequestSubscription } from './serve';
export { watchAnswers, watchMaxDeliveries, type AdvisoryWatch, type MaxDeliveriesAdvisory } from './advisories';
export { type AnswerKind, type Delivery } from './delivery';

import type { IDataObject } from 'n8n-workflow';

import type { StoredObject } from '../../../shared/transport';

/** An object as an output item: names, size, chunks, digest, time, description, headers, link. */
export function objectToJson(object: StoredObject): IDataObject {
	return {
		bucket: object.bucket,
		name: object.name,
		size: object.size,
		chunks: object.chunks,
		digest: object.digest,
		modified: object.modified,
		description: object.description,
		headers: object.headers,
		metadata: object.metadata,
		deleted: object.deleted,
		revision: object.revision,
		link: object.link,
	};
}

import { register } from 'prom-client';

/**
 * The Prometheus text n8n would serve at /metrics — prom-client's global registry, which the trigger
 * finds outside n8n too when prom-client is installed (a dev dependency here) — parsed with a real
 * text-format parser, as a scraper reads it.
 */

interface Sample {
	labels?: Record<string, string>;
	value?: string;
	buckets?: Record<string, string>;
	count?: string;
	sum?: string;
}

export interface MetricFamily {
	name: string;
	help: string;
	type: string;
	metrics: Sample[];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const parse = require('parse-prometheus-text-format') as (text: string) => MetricFamily[];

export async function scrape(): Promise<MetricFamily[]> {
	return parse(await register.metrics());
}

/** The value of one sample of a counter or gauge whose labels include `labels`; undefined when absent. */
export function sampleValue(families: MetricFamily[], name: string, labels: Record<string, string>): number | undefined {
	const family = families.find((f) => f.name === name);
	const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
	return sample?.value === undefined ? undefined : Number(sample.value);
}

/**
 * A histogram's observation count for a label set. The text parser merges the buckets of every
 * label set of a histogram into one (it does not keep their labels), so this reads the `_count`
 * sample from prom-client's own view of the same registry.
 */
export async function histogramCount(name: string, labels: Record<string, string>): Promise<number | undefined> {
	const metric = register.getSingleMetric(name);
	if (!metric) return undefined;
	const { values } = await metric.get();
	const sample = (values as Array<{ metricName?: string; labels: Record<string, string | number>; value: number }>).find((v) => v.metricName === `${name}_count` && Object.entries(labels).every(([k, value]) => v.labels[k] === value));
	return sample?.value;
}

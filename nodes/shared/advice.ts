/**
 * Advice that sends the user to another JetStream node. The editor connects a node added from a
 * failing node after it, where it runs only once the failing node works (a trigger that fails to
 * start never gets there): so the advice says to run that node on its own or in another workflow,
 * and names the operation as the panel shows it ("Resource → Operation").
 */
export function withJetStreamNode(operation: string): string {
	return `a JetStream node set to ${operation}, run on its own (not connected after this node) or in another workflow`;
}

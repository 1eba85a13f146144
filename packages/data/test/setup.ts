// Registers the 'cpu' device every tensor test runs on.
import '@kindling/backend-cpu';

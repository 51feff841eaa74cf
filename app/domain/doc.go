// Package domain holds yimayou's entities and their rules. It imports only the
// standard library: no bson, no fiber. Other packages declare the small
// interfaces they need around these types.
package domain

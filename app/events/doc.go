// Package events is the event pipeline: handlers hand events to a Recorder,
// which gets them into MongoDB without making the answer wait on it.
package events

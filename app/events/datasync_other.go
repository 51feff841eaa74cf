//go:build !linux

package events

import "os"

func datasync(f *os.File) error { return f.Sync() }

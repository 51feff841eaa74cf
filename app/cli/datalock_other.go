//go:build !unix

package cli

import "os"

// tryLock: no flock here; the data dir is not guarded.
func tryLock(*os.File) (busy bool, err error) { return false, nil }

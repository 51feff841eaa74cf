package cli

import (
	"context"
	"fmt"
	"runtime/debug"
)

// Release is the version of this source tree.
const Release = "0.1.0"

// version adds the VCS revision the binary was built from, when known.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return Release
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return Release + "+" + s.Value[:12]
		}
	}
	return Release
}

func runVersion(_ context.Context, env Env, _ []string) error {
	_, err := fmt.Fprintln(env.Stdout, "yimayou", version())
	return err
}

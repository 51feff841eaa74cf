package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
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

func versionCommand(env Env) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "print the version",
		Long:    "Print the release and, when known, the revision the binary was built from (also yimayou --version).",
		Example: "  yimayou version",
		Args:    exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(env.Stdout, "yimayou", version())
			return err
		},
	}
}

// Command yimayou is the QR visitor platform: one binary for the web
// server and its maintenance commands. See `yimayou help`.
package main

import (
	"context"
	"os"

	"github.com/yimayou/yimayou/app/cli"
)

func main() {
	os.Exit(cli.Run(context.Background(), cli.OSEnv(), os.Args[1:]))
}

// Command accord is the shared system of a partnership of health, legal,
// social and community organisations. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/accord-project/accord/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.Run(ctx, cli.Env{Args: os.Args[1:], Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	if err != nil {
		code := 1
		var ee *cli.ExitError
		if errors.As(err, &ee) {
			code = ee.Code
		}
		if code != 0 && !errors.Is(err, cli.ErrUsage) {
			fmt.Fprintln(os.Stderr, "accord:", err)
		}
		os.Exit(code)
	}
}

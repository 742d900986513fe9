package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"shebao/internal/errs"
)

// runUnlock lifts the lock that failed logins put on a staff or admin
// account, for when no administrator can log in to do it on /admin.
func runUnlock(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("unlock", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: shebao unlock [flags] USERNAME")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("请给出一个用户名 / give one username")
	}
	a, err := cf.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Accounts.UnlockFromConsole(ctx, fs.Arg(0)); err != nil {
		if e := errs.As(err); e != nil && e.Kind != errs.Internal {
			return errors.New(e.Message)
		}
		return err
	}
	fmt.Println("账户已解除锁定 / account unlocked:", fs.Arg(0))
	return nil
}

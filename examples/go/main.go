// Command example reads an event file with the Go binding of libcxm and
// prints NPS by channel and the five customers most at risk of churning.
//
//	go run . ../data/sample_events.csv
package main

import (
	"fmt"
	"os"

	"cxm.example/cxm"
)

func main() {
	path := "../data/sample_events.csv"
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	if err := run(path); err != nil {
		fmt.Fprintln(os.Stderr, "example:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	store, err := cxm.NewStore()
	if err != nil {
		return err
	}
	defer store.Close()
	stats, bad, err := store.Ingest(path)
	if err != nil {
		return err
	}
	for _, r := range bad {
		fmt.Fprintf(os.Stderr, "%s:%d: column %s: %s\n", path, r.Line, r.Column, r.Reason)
	}
	fmt.Printf("%d events read, %d rows rejected\n\n", stats.Events, stats.Rejected)

	groups, err := store.Groups(cxm.Filter{}, "channel")
	if err != nil {
		return err
	}
	fmt.Printf("%-10s %6s %7s  %s\n", "channel", "n", "NPS", "95% CI")
	for _, g := range groups {
		nps, err := store.NPS(g.Filter)
		if err != nil {
			return err
		}
		if nps == nil {
			fmt.Printf("%-10s %6d %7s  %s\n", g.Key, 0, "-", "-")
			continue
		}
		fmt.Printf("%-10s %6d %7.1f  [%.1f, %.1f]\n", g.Key, nps.N, nps.Score, nps.CI95Low, nps.CI95High)
	}

	risks, model, err := store.Churn(cxm.ChurnOptions{})
	if err != nil {
		return err
	}
	source := "default"
	if model.Fitted {
		source = "fitted"
	}
	fmt.Printf("\nriskiest customers (%s model, trained up to %s)\n", source, model.Cutoff.Format("2006-01-02"))
	for i, r := range risks {
		if i == 5 {
			break
		}
		driver := "-"
		if len(r.Drivers) > 0 {
			driver = r.Drivers[0].Factor
		}
		fmt.Printf("%-8s %5.1f%%  %-6s  top driver: %s\n", r.Customer, 100*r.Risk, r.Band, driver)
	}
	return nil
}

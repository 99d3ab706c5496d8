// Command example reads an event file with the Go binding of libcxm and
// prints NPS by channel and the five customers most at risk of churning,
// with their P(alive) and the factors that drive their risk.
//
//	go run . ../data/sample_events.csv
package main

import (
	"fmt"
	"math"
	"os"
	"strings"

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

	// One call of cxm_store_churn(): the numbers of `cxm churn FILE --json`.
	risks, model, err := store.Churn(cxm.ChurnOptions{})
	if err != nil {
		return err
	}
	source := "default"
	if model.Fitted {
		source = "fitted"
	}
	fmt.Printf("\nfive riskiest customers (%s model, scored at %s, trained on churn after %s)\n", source,
		model.ScoredAt.Format("2006-01-02"), model.Cutoff.Format("2006-01-02"))
	fmt.Printf("%-8s %6s  %-6s  %8s  %s\n", "customer", "risk", "band", "P(alive)", "drivers (log-odds)")
	for i, r := range risks {
		if i == 5 {
			break
		}
		alive := "-" // NaN: no usable purchase history
		if !math.IsNaN(r.PAlive) {
			alive = fmt.Sprintf("%.3f", r.PAlive)
		}
		var drivers []string
		for k, d := range r.Drivers {
			if k == 3 {
				break
			}
			drivers = append(drivers, fmt.Sprintf("%s %+.2f", d.Factor, d.Weight))
		}
		if len(drivers) == 0 {
			drivers = []string{"-"}
		}
		fmt.Printf("%-8s %5.1f%%  %-6s  %8s  %s\n", r.Customer, 100*r.Risk, r.Band, alive, strings.Join(drivers, ", "))
	}
	return nil
}

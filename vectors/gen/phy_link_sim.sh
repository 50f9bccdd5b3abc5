#!/bin/sh
# Regenerates vectors/data/phy/link_*_awgn.csv (ntn-phy link_sim, regression vectors).
# Usage: sh vectors/gen/phy_link_sim.sh [DATE]   (run from the repository root)
set -eu
DATE="${1:-$(date -u +%Y-%m-%d)}"
cargo run -p ntn-phy --release --example link_sim -- --out vectors/data/phy --date "$DATE" --seed 2026

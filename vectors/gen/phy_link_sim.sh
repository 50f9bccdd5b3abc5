#!/bin/sh
# Regenerates the NB-IoT DL link-level regression vectors of vectors/data/phy/:
#   link_*_awgn.csv   (ntn-phy example link_sim)
#   link_*_tdlc.csv   (ntn link-sim … --channel tdl-c, the ntn-sim NTN-TDL-C runner)
#   link_cell-search_awgn.csv (ntn link-sim cell-search: cold acquisition vs SNR)
# Usage: sh vectors/gen/phy_link_sim.sh [DATE]   (run from the repository root)
set -eu
DATE="${1:-$(date -u +%Y-%m-%d)}"
cargo run -p ntn-phy --release --example link_sim -- --out vectors/data/phy --date "$DATE" --seed 2026
cargo build --release --bin ntn
NTN=target/release/ntn
D=vectors/data/phy
$NTN link-sim npss --channel tdl-c --snr-db=-14:-2:1.5 --trials 200 --seed 2026 --date "$DATE" --csv $D/link_npss_tdlc.csv
$NTN link-sim npbch --channel tdl-c --snr-db=-16:-4:1.5 --trials 100 --seed 2026 --date "$DATE" --csv $D/link_npbch_tdlc.csv
$NTN link-sim npdcch --channel tdl-c --snr-db=-13:-1:1.5 --trials 200 --seed 2026 --date "$DATE" --csv $D/link_npdcch_tdlc.csv
$NTN link-sim npdsch --channel tdl-c --snr-db=-3:9:1.5 --trials 200 --seed 2026 --date "$DATE" --csv $D/link_npdsch_tdlc.csv
$NTN link-sim cell-search --snr-db=-14:-2:1.5 --trials 100 --seed 2026 --date "$DATE" --csv $D/link_cell-search_awgn.csv

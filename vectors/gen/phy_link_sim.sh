#!/bin/sh
# Regenerates the NB-IoT DL link-level regression vectors of vectors/data/phy/:
#   link_*_awgn.csv   (ntn-phy example link_sim)
#   link_*_tdlc.csv   (ntn link-sim … --channel tdl-c, the ntn-sim NTN-TDL-C runner)
#   link_cell-search_awgn.csv (ntn link-sim cell-search: cold acquisition vs SNR)
#   ul/npusch_*_tdlc.csv (ntn link-sim npusch --channel tdl-c; the AWGN NPUSCH curves come
#   from phy/tests/nbiot_npusch_bler.rs, see vectors/data/phy/ul/README.md)
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
U=vectors/data/phy/ul
$NTN link-sim npusch --channel tdl-c --tones 12 --itbs 5 --iru 1 --snr-db=-4:10:1.5 --trials 200 --seed 2026 --date "$DATE" --csv $U/npusch_mt12_qpsk_tbs5_ru1_rep1_tdlc.csv
$NTN link-sim npusch --channel tdl-c --tones 1 --modulation pi4-qpsk --itbs 5 --iru 1 --reps 4 --snr-db=-8:6:1.5 --trials 200 --seed 2026 --date "$DATE" --csv $U/npusch_st15_qpsk_tbs5_ru1_rep4_tdlc.csv
# The uplink formats of the end-to-end link abstraction (sim::link_abstraction), through TDL-C:
$NTN link-sim npusch --channel tdl-c --tones 12 --itbs 10 --iru 1 --snr-db=-2:14:1.5 --trials 200 --seed 2026 --date "$DATE" --csv $U/npusch_mt12_qpsk_tbs10_ru1_rep1_tdlc.csv
$NTN link-sim npusch --channel tdl-c --tones 1 --modulation pi4-qpsk --itbs 5 --iru 1 --snr-db=-4:12:1.5 --trials 200 --seed 2026 --date "$DATE" --csv $U/npusch_st15_qpsk_tbs5_ru1_rep1_tdlc.csv
$NTN link-sim npusch --channel tdl-c --spacing-khz 3.75 --tones 1 --modulation pi2-bpsk --itbs 0 --iru 0 --snr-db=-4:12:1.5 --trials 200 --seed 2026 --date "$DATE" --csv $U/npusch_st3k75_bpsk_tbs0_ru0_rep1_tdlc.csv

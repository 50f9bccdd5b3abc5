//! NB-IoT downlink (36.211 §10.2, 36.212 §6.4): signals and channels for the cell side and the
//! UE receiver.

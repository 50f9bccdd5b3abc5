#!/usr/bin/env python3
"""Reference vectors for the 5GS NAS codec (ntn-nas), made with an independent codec.

Like pycrate_nas_eps.py, for TS 24.501: pycrate (pycrate_mobile TS24501_FGMM / TS24501_FGSM)
encodes each message, decodes its own octets with parse_NAS5G, and the octets plus pycrate's
reading of the fields go to vectors/data/nas/5gs_pycrate.json. Mandatory and identity IEs are
given to pycrate either as structured values or as value octets; the expected fields are always
taken from pycrate's decoding.

    pip install -r vectors/gen/requirements-nas.txt
    python3 vectors/gen/pycrate_nas_5gs.py
    python3 vectors/gen/pycrate_nas_5gs.py --check target/nas5g_our_encodings.txt
"""
import datetime
import importlib.metadata
import json
import os
import sys

from pycrate_mobile.TS24501_FGMM import *  # noqa: F401,F403
from pycrate_mobile.TS24501_FGSM import *  # noqa: F401,F403
from pycrate_mobile.NAS import parse_NAS5G

OUT = os.path.join(os.path.dirname(__file__), '..', 'data', 'nas', '5gs_pycrate.json')


def parse(b):
    m, err = parse_NAS5G(b)
    if err:
        raise RuntimeError('pycrate could not decode %s: %r' % (b.hex(), err))
    return m


def opt(m, name):
    m[name].set_trans(False)
    return m[name]


def ie(d, name):
    return d[name][-1]


def raw(d, name):
    return ie(d, name).to_bytes()


def uint(d, name):
    return ie(d, name).to_uint()


def id_fields(v, prefix=''):
    t = v['Type'].get_val()
    if t == 1:
        x = v['Value']
        return {prefix + 'id_kind': 'suci', prefix + 'supi_format': v['Fmt'].get_val(),
                prefix + 'plmn': x['PLMN'].to_bytes().hex(), prefix + 'routing': x['RoutingInd'].to_bytes().hex(),
                prefix + 'scheme': x['ProtSchemeID'].get_val(), prefix + 'hnpkid': x['HNPKID'].get_val(),
                prefix + 'output': x['Output'].to_bytes().hex()}
    if t == 2:
        return {prefix + 'id_kind': 'guti', prefix + 'plmn': v['PLMN'].to_bytes().hex(),
                prefix + 'amf_region': v['AMFRegionID'].get_val(), prefix + 'amf_set': v['AMFSetID'].get_val(),
                prefix + 'amf_ptr': v['AMFPtr'].get_val(), prefix + 'tmsi': v['5GTMSI'].get_val()}
    if t == 4:
        return {prefix + 'id_kind': 'stmsi', prefix + 'amf_set': v['AMFSetID'].get_val(),
                prefix + 'amf_ptr': v['AMFPtr'].get_val(), prefix + 'tmsi': v['5GTMSI'].get_val()}
    if t in (3, 5):
        return {prefix + 'id_kind': 'imei' if t == 3 else 'imeisv', prefix + 'digits': v.decode()[1]}
    raise ValueError(t)


SUCI = bytes.fromhex('0100f110f0ff00002143658709')
GUTI = bytes.fromhex('f200f110ca0041deadbeef')
STMSI = bytes.fromhex('f40041deadbeef')


def gen():
    vecs = []

    def add(name, dirn, m, fields_of):
        b = m.to_bytes()
        d = parse(b)
        f = fields_of(d)
        hdr = d[0]
        f['message_type'] = hdr['Type'].get_val()
        vecs.append({'name': name, 'dir': dirn, 'hex': b.hex(), 'fields': f})

    m = FGMMRegistrationRequest(val={'NAS_KSI': 7, '5GSRegType': 9, '5GSID': SUCI})
    opt(m, 'UESecCap')['V'].set_val(bytes.fromhex('e0e0'))
    add('registration request suci', 'ul', m, lambda d: dict(
        ng_ksi=uint(d, 'NAS_KSI'), registration_type=uint(d, '5GSRegType'),
        ue_security_capability=raw(d, 'UESecCap').hex(), **id_fields(ie(d, '5GSID'))))

    m = FGMMRegistrationRequest(val={'NAS_KSI': 1, '5GSRegType': 2, '5GSID': GUTI})
    add('registration request guti mobility', 'ul', m, lambda d: dict(
        ng_ksi=uint(d, 'NAS_KSI'), registration_type=uint(d, '5GSRegType'), **id_fields(ie(d, '5GSID'))))

    m = FGMMRegistrationAccept(val={'5GSRegResult': bytes([0x01])})
    opt(m, 'GUTI')['V'].set_val(GUTI)
    opt(m, '5GSTAIList')['V'].set_val(bytes.fromhex('0000f110000001'))
    add('registration accept', 'dl', m, lambda d: dict(
        result=raw(d, '5GSRegResult')[0], **id_fields(ie(d, 'GUTI'), 'guti_')))

    add('registration complete', 'ul', FGMMRegistrationComplete(), lambda d: {})
    add('registration reject', 'dl', FGMMRegistrationReject(val={'5GMMCause': 7}), lambda d: dict(
        cause=uint(d, '5GMMCause')))

    m = FGMMAuthenticationRequest(val={'NAS_KSI': 1, 'ABBA': bytes.fromhex('0000')})
    opt(m, 'RAND')['V'].set_val(bytes.fromhex('23553cbe9637a89d218ae64dae47bf35'))
    opt(m, 'AUTN')['V'].set_val(bytes.fromhex('55f328b43577b9b94a9ffac354dfafb3'))
    add('authentication request', 'dl', m, lambda d: dict(
        ng_ksi=uint(d, 'NAS_KSI'), abba=raw(d, 'ABBA').hex(), rand=raw(d, 'RAND').hex(), autn=raw(d, 'AUTN').hex()))

    m = FGMMAuthenticationResponse()
    opt(m, 'RES')['V'].set_val(bytes.fromhex('31b6d938a5290ccc65bc829f9820a8d9'))
    add('authentication response', 'ul', m, lambda d: dict(res_star=raw(d, 'RES').hex()))

    m = FGMMAuthenticationFailure(val={'5GMMCause': 21})
    opt(m, 'AUTS')['V'].set_val(bytes.fromhex('4f2039392ddd4bb4316ed4a14688'))
    add('authentication failure synch', 'ul', m, lambda d: dict(cause=uint(d, '5GMMCause'), auts=raw(d, 'AUTS').hex()))

    add('authentication reject', 'dl', FGMMAuthenticationReject(), lambda d: {})
    add('identity request', 'dl', FGMMIdentityRequest(val={'5GSIDType': 1}), lambda d: dict(identity_type=uint(d, '5GSIDType')))
    add('identity response', 'ul', FGMMIdentityResponse(val={'5GSID': SUCI}), lambda d: id_fields(ie(d, '5GSID')))

    m = FGMMSecurityModeCommand(val={'NASSecAlgo': bytes([0x22]), 'NAS_KSI': 1, 'UESecCap': bytes.fromhex('e0e0')})
    opt(m, 'IMEISVReq')['V'].set_val(1)
    add('security mode command', 'dl', m, lambda d: dict(
        ciphering=raw(d, 'NASSecAlgo')[0] >> 4, integrity=raw(d, 'NASSecAlgo')[0] & 0xf, ng_ksi=uint(d, 'NAS_KSI'),
        replayed_caps=raw(d, 'UESecCap').hex(), imeisv_request=uint(d, 'IMEISVReq')))

    m = FGMMSecurityModeComplete()
    opt(m, 'IMEISV')['V'].set_val(bytes.fromhex('5335940096783391f0'))
    add('security mode complete', 'ul', m, lambda d: id_fields(ie(d, 'IMEISV')))

    add('security mode reject', 'ul', FGMMSecurityModeReject(val={'5GMMCause': 23}), lambda d: dict(cause=uint(d, '5GMMCause')))
    add('5gmm status', 'ul', FGMMStatus(val={'5GMMCause': 98}), lambda d: dict(cause=uint(d, '5GMMCause')))

    m = FGMMMODeregistrationRequest(val={'NAS_KSI': 1, 'DeregistrationType': 9, '5GSID': GUTI})
    add('deregistration request ue', 'ul', m, lambda d: dict(
        ng_ksi=uint(d, 'NAS_KSI'), deregistration_type=uint(d, 'DeregistrationType'), **id_fields(ie(d, '5GSID'))))
    add('deregistration accept ue', 'dl', FGMMMODeregistrationAccept(), lambda d: {})
    m = FGMMMTDeregistrationRequest(val={'DeregistrationType': 1})
    opt(m, '5GMMCause')['V'].set_val(bytes([7]))
    add('deregistration request network', 'dl', m, lambda d: dict(
        deregistration_type=uint(d, 'DeregistrationType'), cause=raw(d, '5GMMCause')[0]))
    add('deregistration accept network', 'ul', FGMMMTDeregistrationAccept(), lambda d: {})

    m = FGMMServiceRequest(val={'NAS_KSI': 1, 'ServiceType': 1, '5GSID': STMSI})
    add('service request', 'ul', m, lambda d: dict(
        ng_ksi=uint(d, 'NAS_KSI'), service_type=uint(d, 'ServiceType'), **id_fields(ie(d, '5GSID'))))
    add('service accept', 'dl', FGMMServiceAccept(), lambda d: {})
    add('service reject', 'dl', FGMMServiceReject(val={'5GMMCause': 22}), lambda d: dict(cause=uint(d, '5GMMCause')))

    m = FGMMConfigurationUpdateCommand()
    opt(m, 'GUTI')['V'].set_val(GUTI)
    add('configuration update command', 'dl', m, lambda d: id_fields(ie(d, 'GUTI'), 'guti_'))
    add('configuration update complete', 'ul', FGMMConfigurationUpdateComplete(), lambda d: {})

    est = FGSMPDUSessionEstabRequest(val={'5GSMHeader': {'PDUSessID': 5, 'PTI': 1},
                                          'IntegrityProtMaxDataRate': bytes.fromhex('ffff')})
    opt(est, 'PDUSessType')['V'].set_val(1)
    est_b = est.to_bytes()
    add('pdu session establishment request', 'ul', est, lambda d: dict(
        pdu_session_id=d[0]['PDUSessID'].get_val(), pti=d[0]['PTI'].get_val(),
        max_integrity_rate=raw(d, 'IntegrityProtMaxDataRate').hex(), pdu_session_type=uint(d, 'PDUSessType')))

    m = FGMMULNASTransport(val={'PayloadContainerType': 1, 'PayloadContainer': est_b})
    opt(m, 'PDUSessID')['V'].set_val(bytes([5]))
    opt(m, 'RequestType')['V'].set_val(1)
    opt(m, 'DNN')['V'].set_val(b'\x08internet')
    add('ul nas transport', 'ul', m, lambda d: dict(
        payload_type=uint(d, 'PayloadContainerType'), payload=raw(d, 'PayloadContainer').hex(),
        pdu_session_id=raw(d, 'PDUSessID')[0], dnn=raw(d, 'DNN').hex()))

    acc = FGSMPDUSessionEstabAccept(val={'5GSMHeader': {'PDUSessID': 5, 'PTI': 1}, 'PDUSessType': 1, 'SSCMode': 1,
                                         'QoSRules': bytes.fromhex('01000631310101ff09'),
                                         'SessAMBR': bytes.fromhex('060001060001')})
    opt(acc, 'PDUAddress')['V'].set_val(bytes.fromhex('010a2d0007'))
    acc_b = acc.to_bytes()
    add('pdu session establishment accept', 'dl', acc, lambda d: dict(
        pdu_session_id=d[0]['PDUSessID'].get_val(), pti=d[0]['PTI'].get_val(),
        pdu_session_type=uint(d, 'PDUSessType'), ssc_mode=uint(d, 'SSCMode'),
        qos_rules=raw(d, 'QoSRules').hex(), session_ambr=raw(d, 'SessAMBR').hex(),
        pdu_address=raw(d, 'PDUAddress').hex()))

    m = FGMMDLNASTransport(val={'PayloadContainerType': 1, 'PayloadContainer': acc_b})
    opt(m, 'PDUSessID')['V'].set_val(bytes([5]))
    add('dl nas transport', 'dl', m, lambda d: dict(
        payload_type=uint(d, 'PayloadContainerType'), payload=raw(d, 'PayloadContainer').hex(),
        pdu_session_id=raw(d, 'PDUSessID')[0]))

    add('pdu session establishment reject', 'dl', FGSMPDUSessionEstabReject(
        val={'5GSMHeader': {'PDUSessID': 5, 'PTI': 1}, '5GSMCause': 27}), lambda d: dict(cause=uint(d, '5GSMCause')))
    add('pdu session release request', 'ul', FGSMPDUSessionReleaseRequest(
        val={'5GSMHeader': {'PDUSessID': 5, 'PTI': 2}}), lambda d: dict(pdu_session_id=d[0]['PDUSessID'].get_val()))
    add('pdu session release command', 'dl', FGSMPDUSessionReleaseCommand(
        val={'5GSMHeader': {'PDUSessID': 5, 'PTI': 2}, '5GSMCause': 36}), lambda d: dict(cause=uint(d, '5GSMCause')))
    add('pdu session release complete', 'ul', FGSMPDUSessionReleaseComplete(
        val={'5GSMHeader': {'PDUSessID': 5, 'PTI': 2}}), lambda d: dict(pti=d[0]['PTI'].get_val()))
    add('5gsm status', 'ul', FGSMStatus(val={'5GSMHeader': {'PDUSessID': 5, 'PTI': 0}, '5GSMCause': 98}),
        lambda d: dict(cause=uint(d, '5GSMCause')))
    return vecs


def check(path):
    ok = bad = 0
    for line in open(path):
        line = line.strip()
        if not line:
            continue
        _, hx = line.split()
        b = bytes.fromhex(hx)
        try:
            m = parse(b)
            if m.to_bytes() == b:
                ok += 1
            else:
                bad += 1
                print('re-encode differs:', hx, m.to_bytes().hex())
        except Exception as e:  # noqa: BLE001
            bad += 1
            print('pycrate error:', hx, e)
    print('pycrate decoded %d of %d of our 5GS encodings without error and byte-identical' % (ok, ok + bad))
    return bad == 0


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == '--check':
        sys.exit(0 if check(sys.argv[2]) else 1)
    vecs = gen()
    doc = {
        'kind': 'reference',
        'generator': 'vectors/gen/pycrate_nas_5gs.py',
        'tool': 'pycrate %s (pycrate_mobile TS24501_FGMM / TS24501_FGSM, parse_NAS5G)'
                % importlib.metadata.version('pycrate'),
        'date': datetime.date.today().isoformat(),
        'spec': '3GPP TS 24.501 §8.2, §8.3, §9',
        'note': "octets encoded by pycrate; fields are pycrate's own decoding of those octets",
        'vectors': vecs,
    }
    with open(OUT, 'w') as f:
        json.dump(doc, f, indent=1)
        f.write('\n')
    print('wrote %d vectors to %s' % (len(vecs), OUT))

package vn.kyso.dss;

import eu.europa.esig.dss.cades.CAdESSignatureParameters;
import eu.europa.esig.dss.cades.signature.CAdESService;
import eu.europa.esig.dss.enumerations.SignatureLevel;
import eu.europa.esig.dss.enumerations.SignaturePackaging;
import eu.europa.esig.dss.model.DSSDocument;
import eu.europa.esig.dss.model.SignatureValue;
import eu.europa.esig.dss.model.ToBeSigned;
import eu.europa.esig.dss.spi.x509.tsp.TSPSource;

import java.util.Map;

/**
 * {@code sign-cades IN OUT.p7s --key KEY.pem --cert CERT.pem [--chain CA.pem]...
 * --level B-B|B-T|B-LT|B-LTA [--attached] [--digest ALG] [--pss] [TSA options]}:
 * a CAdES baseline signature made by DSS's CAdESService, detached unless --attached
 * (then the content is enveloped in the CMS).
 */
final class SignCades {
    static final Args.Spec SPEC = Args.Spec.of("sign-cades", "in out", DssSigning.COMMON_OPTIONS, "attached pss");

    private SignCades() {
    }

    static Map<String, Object> run(Args args) {
        DSSDocument input = DssSigning.input(args.positional("in"));
        DssSigning.Signer signer = DssSigning.signer(args);
        SignatureLevel level = DssSigning.level("CAdES", args.option("level"));
        TSPSource tsp = DssSigning.tspSource(args);

        CAdESSignatureParameters params = new CAdESSignatureParameters();
        DssSigning.configure(params, args, signer, level, tsp);
        params.setSignaturePackaging(args.flag("attached") ? SignaturePackaging.ENVELOPING : SignaturePackaging.DETACHED);

        CAdESService service = new CAdESService(DssSigning.verifier(args, signer));
        if (tsp != null) {
            service.setTspSource(tsp);
        }
        ToBeSigned toBeSigned = service.getDataToSign(input, params);
        SignatureValue value = signer.token().sign(toBeSigned, params.getSignatureAlgorithm(), signer.token().entry());
        DSSDocument signed = service.signDocument(input, params, value);
        DssSigning.save(signed, args.positional("out"));
        return DssSigning.ok(args.positional("out"));
    }
}

package vn.kyso.dss;

import eu.europa.esig.dss.enumerations.SignatureLevel;
import eu.europa.esig.dss.model.DSSDocument;
import eu.europa.esig.dss.model.SignatureValue;
import eu.europa.esig.dss.model.ToBeSigned;
import eu.europa.esig.dss.pades.PAdESSignatureParameters;
import eu.europa.esig.dss.pades.signature.PAdESService;
import eu.europa.esig.dss.spi.x509.tsp.TSPSource;

import java.util.Map;

/**
 * {@code sign-pades IN.pdf OUT.pdf --key KEY.pem --cert CERT.pem [--chain CA.pem]...
 * --level B-B|B-T|B-LT|B-LTA [--digest ALG] [--pss] [TSA options] [--reason TEXT]}:
 * an invisible PAdES baseline signature made by DSS's PAdESService over its PDFBox
 * implementation (the one on the class path).
 */
final class SignPades {
    static final Args.Spec SPEC = Args.Spec.of("sign-pades", "in out",
            DssSigning.COMMON_OPTIONS + " reason location", "pss");

    private SignPades() {
    }

    static Map<String, Object> run(Args args) {
        DSSDocument input = DssSigning.input(args.positional("in"));
        DssSigning.Signer signer = DssSigning.signer(args);
        SignatureLevel level = DssSigning.level("PAdES", args.option("level"));
        TSPSource tsp = DssSigning.tspSource(args);

        PAdESSignatureParameters params = new PAdESSignatureParameters();
        DssSigning.configure(params, args, signer, level, tsp);
        if (args.option("reason") != null) {
            params.setReason(args.option("reason"));
        }
        if (args.option("location") != null) {
            params.setLocation(args.option("location"));
        }

        PAdESService service = new PAdESService(DssSigning.verifier(args, signer));
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

package vn.kyso.dss;

import eu.europa.esig.dss.enumerations.DigestAlgorithm;
import eu.europa.esig.dss.enumerations.EncryptionAlgorithm;
import eu.europa.esig.dss.enumerations.SignatureLevel;
import eu.europa.esig.dss.model.DSSDocument;
import eu.europa.esig.dss.model.FileDocument;
import eu.europa.esig.dss.model.x509.CertificateToken;
import eu.europa.esig.dss.service.tsp.OnlineTSPSource;
import eu.europa.esig.dss.signature.AbstractSignatureParameters;
import eu.europa.esig.dss.spi.validation.CommonCertificateVerifier;
import eu.europa.esig.dss.spi.x509.CommonTrustedCertificateSource;
import eu.europa.esig.dss.spi.x509.revocation.crl.ExternalResourcesCRLSource;
import eu.europa.esig.dss.spi.x509.tsp.KeyEntityTSPSource;
import eu.europa.esig.dss.spi.x509.tsp.TSPSource;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What sign-pades and sign-cades share: the signer's key and chain as a DSS token,
 * the digest and level options, the offline certificate verifier and the time-stamp
 * source.
 */
final class DssSigning {
    /** Options both DSS signing commands take. */
    static final String COMMON_OPTIONS =
            "key cert chain level digest tsa-key tsa-cert tsa-chain tsa-url tsa-policy trust crl signing-time";

    /** Policy OID our own TSA puts in its tokens unless --tsa-policy says otherwise. */
    static final String DEFAULT_TSA_POLICY = "1.3.6.1.4.1.99999.1.1";

    private DssSigning() {
    }

    /** The signer as loaded from --key, --cert and --chain. */
    record Signer(KeyMaterial.PemToken token, X509Certificate certificate, List<X509Certificate> chain) {
    }

    static Signer signer(Args args) {
        PrivateKey key = KeyMaterial.privateKey(args.required("key"));
        X509Certificate cert = KeyMaterial.certificate(args.required("cert"));
        List<X509Certificate> chain = KeyMaterial.certificates(args.all("chain"));
        return new Signer(new KeyMaterial.PemToken(key, cert, chain), cert, chain);
    }

    /** SHA256, SHA-256, sha384, SHA3-256, ... (default SHA256). */
    static DigestAlgorithm digest(String name) {
        if (name == null) {
            return DigestAlgorithm.SHA256;
        }
        String n = name.toUpperCase(Locale.ROOT);
        java.util.regex.Matcher sha3 = java.util.regex.Pattern.compile("SHA-?3-?(224|256|384|512)").matcher(n);
        n = sha3.matches() ? "SHA3-" + sha3.group(1) : n.replace("-", "");
        try {
            return DigestAlgorithm.forName(n);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--digest: unknown digest algorithm " + name);
        }
    }

    /** B-B, B-T, B-LT or B-LTA of the given form ("PAdES" or "CAdES"). */
    static SignatureLevel level(String form, String level) {
        if (level == null) {
            throw new Args.UsageException("--level is required (B-B, B-T, B-LT or B-LTA)");
        }
        String suffix = switch (level.toUpperCase(Locale.ROOT)) {
            case "B-B", "B" -> "B";
            case "B-T", "T" -> "T";
            case "B-LT", "LT" -> "LT";
            case "B-LTA", "LTA" -> "LTA";
            default -> throw new Args.UsageException("--level must be B-B, B-T, B-LT or B-LTA, not " + level);
        };
        return SignatureLevel.valueOf(form + "_BASELINE_" + suffix);
    }

    /**
     * The verifier DSS consults while signing (it matters from B-LT on, where DSS
     * collects revocation data): offline, trusting --trust and the self-signed
     * certificates of --chain, with revocation data only from --crl files.
     */
    static CommonCertificateVerifier verifier(Args args, Signer signer) {
        CommonCertificateVerifier verifier = new CommonCertificateVerifier(true);
        verifier.setAIASource(null);
        verifier.setOcspSource(null);
        CommonTrustedCertificateSource trusted = new CommonTrustedCertificateSource();
        for (X509Certificate c : KeyMaterial.certificates(args.all("trust"))) {
            trusted.addCertificate(new CertificateToken(c));
        }
        for (X509Certificate c : signer.chain()) {
            if (c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
                trusted.addCertificate(new CertificateToken(c));
            }
        }
        verifier.setTrustedCertSources(trusted);
        List<String> crls = args.all("crl");
        if (!crls.isEmpty()) {
            List<DSSDocument> docs = new ArrayList<>();
            for (String c : crls) {
                if (!new File(c).isFile()) {
                    throw new Args.UsageException("no such file: " + c);
                }
                docs.add(new FileDocument(c));
            }
            verifier.setCrlSource(new ExternalResourcesCRLSource(docs.toArray(new DSSDocument[0])));
        }
        return verifier;
    }

    /**
     * The time-stamp source for B-T and up: an RFC 3161 server (--tsa-url), or our
     * own TSA key (--tsa-key, --tsa-cert, --tsa-chain) through DSS's KeyEntityTSPSource,
     * which issues real RFC 3161 tokens signed with that key. Null when none is given.
     */
    static TSPSource tspSource(Args args) {
        String url = args.option("tsa-url");
        String key = args.option("tsa-key");
        String cert = args.option("tsa-cert");
        if (url != null && (key != null || cert != null)) {
            throw new Args.UsageException("give either --tsa-url or --tsa-key/--tsa-cert, not both");
        }
        if (url != null) {
            return new OnlineTSPSource(url);
        }
        if (key == null && cert == null) {
            return null;
        }
        if (key == null || cert == null) {
            throw new Args.UsageException("--tsa-key and --tsa-cert go together");
        }
        X509Certificate tsaCert = KeyMaterial.certificate(cert);
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(tsaCert);
        chain.addAll(KeyMaterial.certificates(args.all("tsa-chain")));
        KeyEntityTSPSource source = new KeyEntityTSPSource(KeyMaterial.privateKey(key), tsaCert, chain);
        String policy = args.option("tsa-policy");
        source.setTsaPolicy(policy == null ? DEFAULT_TSA_POLICY : policy);
        source.setDigestAlgorithm(DigestAlgorithm.SHA256);
        return source;
    }

    /** Sets what every DSS signature gets from the options, and checks a TSA is there when needed. */
    static void configure(AbstractSignatureParameters<?> params, Args args, Signer signer, SignatureLevel level,
                          TSPSource tsp) {
        if (!level.name().endsWith("_BASELINE_B") && tsp == null) {
            throw new Args.UsageException("--level " + args.option("level")
                    + " needs a time-stamp source: --tsa-url, or --tsa-key and --tsa-cert");
        }
        params.setSignatureLevel(level);
        params.setDigestAlgorithm(digest(args.option("digest")));
        params.setSigningCertificate(new CertificateToken(signer.certificate()));
        List<CertificateToken> chain = new ArrayList<>();
        chain.add(new CertificateToken(signer.certificate()));
        chain.addAll(KeyMaterial.tokens(signer.chain()));
        params.setCertificateChain(chain);
        // After setSigningCertificate, which sets the algorithm from the certificate's key.
        if (args.flag("pss")) {
            params.setEncryptionAlgorithm(EncryptionAlgorithm.RSASSA_PSS);
        }
        String signingTime = args.option("signing-time");
        if (signingTime != null) {
            params.bLevel().setSigningDate(Validate.parseTime(signingTime));
        }
    }

    static void save(DSSDocument document, String out) {
        try (OutputStream os = Files.newOutputStream(Path.of(out))) {
            document.writeTo(os);
        } catch (IOException e) {
            throw new Args.UsageException("cannot write " + out + ": " + e.getMessage());
        }
    }

    static Map<String, Object> ok(String out) {
        Map<String, Object> json = Json.object();
        json.put("ok", true);
        json.put("out", out);
        return json;
    }

    static DSSDocument input(String in) {
        if (!new File(in).isFile()) {
            throw new Args.UsageException("no such file: " + in);
        }
        return new FileDocument(in);
    }
}

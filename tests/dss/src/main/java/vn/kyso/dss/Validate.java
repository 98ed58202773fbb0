package vn.kyso.dss;

import eu.europa.esig.dss.diagnostic.DiagnosticData;
import eu.europa.esig.dss.diagnostic.SignatureWrapper;
import eu.europa.esig.dss.diagnostic.TimestampWrapper;
import eu.europa.esig.dss.enumerations.Indication;
import eu.europa.esig.dss.enumerations.SignatureLevel;
import eu.europa.esig.dss.enumerations.SubIndication;
import eu.europa.esig.dss.model.DSSDocument;
import eu.europa.esig.dss.model.FileDocument;
import eu.europa.esig.dss.simplereport.SimpleReport;
import eu.europa.esig.dss.spi.validation.CommonCertificateVerifier;
import eu.europa.esig.dss.spi.x509.CommonTrustedCertificateSource;
import eu.europa.esig.dss.spi.x509.revocation.crl.ExternalResourcesCRLSource;
import eu.europa.esig.dss.validation.SignedDocumentValidator;
import eu.europa.esig.dss.validation.reports.Reports;
import eu.europa.esig.dss.jaxb.object.Message;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * {@code validate FILE [--content ORIGINAL] [--trust CERT.pem]... [--crl CRL]... [--time ISO8601]
 * [--policy constraint.xml|default|kyso] [--etsi OUT.xml]}: DSS's own validation, offline.
 */
final class Validate {
    static final Args.Spec SPEC = Args.Spec.of("validate", "file", "content trust crl time policy etsi", "");

    /** The document could not be opened or validated at all: exit code 3. */
    static final class UnreadableException extends RuntimeException {
        UnreadableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Validate() {
    }

    static Map<String, Object> run(Args args) {
        String file = args.positional("file");
        if (!Files.isRegularFile(Path.of(file))) {
            throw new Args.UsageException("no such file: " + file);
        }
        String content = args.option("content");
        if (content != null && !Files.isRegularFile(Path.of(content))) {
            throw new Args.UsageException("no such file: " + content);
        }
        Date time = args.option("time") == null ? null : parseTime(args.option("time"));

        // Offline: no AIA source (the constructor's "true"), no OCSP source, and a CRL
        // source only over the CRL files given. Trust only what --trust names.
        CommonCertificateVerifier verifier = new CommonCertificateVerifier(true);
        verifier.setAIASource(null);
        verifier.setOcspSource(null);
        List<String> crls = args.all("crl");
        if (!crls.isEmpty()) {
            List<DSSDocument> crlDocs = new ArrayList<>();
            for (String c : crls) {
                crlDocs.add(new FileDocument(existing(c)));
            }
            verifier.setCrlSource(new ExternalResourcesCRLSource(crlDocs.toArray(new DSSDocument[0])));
        } else {
            verifier.setCrlSource(null);
        }
        CommonTrustedCertificateSource trusted = new CommonTrustedCertificateSource();
        for (X509Certificate c : KeyMaterial.certificates(args.all("trust"))) {
            trusted.addCertificate(new eu.europa.esig.dss.model.x509.CertificateToken(c));
        }
        verifier.setTrustedCertSources(trusted);

        SignedDocumentValidator validator;
        try {
            validator = SignedDocumentValidator.fromDocument(new FileDocument(file));
        } catch (RuntimeException e) {
            throw new UnreadableException("DSS cannot open " + file + ": " + Main.message(e), e);
        }
        validator.setCertificateVerifier(verifier);
        if (content != null) {
            validator.setDetachedContents(List.of(new FileDocument(content)));
        }
        if (time != null) {
            validator.setValidationTime(time);
        }

        Reports reports;
        try {
            reports = validate(validator, args.option("policy"));
        } catch (Args.UsageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new UnreadableException("DSS cannot validate " + file + ": " + Main.message(e), e);
        }

        String etsi = args.option("etsi");
        if (etsi != null) {
            try {
                Files.writeString(Path.of(etsi), reports.getXmlValidationReport(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new Args.UsageException("cannot write " + etsi + ": " + e.getMessage());
            }
        }
        return toJson(reports);
    }

    private static Reports validate(SignedDocumentValidator validator, String policy) {
        if (policy == null || policy.equals("default")) {
            return validator.validateDocument();
        }
        if (policy.equals("kyso")) {
            return validator.validateDocument(new java.io.ByteArrayInputStream(KysoPolicy.xml()));
        }
        return validator.validateDocument(existing(policy));
    }

    private static File existing(String path) {
        File f = new File(path);
        if (!f.isFile()) {
            throw new Args.UsageException("no such file: " + path);
        }
        return f;
    }

    /** {@code 2026-05-01T10:00:00Z}, with an offset, or a bare date (midnight UTC). */
    static Date parseTime(String text) {
        try {
            return Date.from(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            try {
                return Date.from(LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant());
            } catch (DateTimeParseException e2) {
                throw new Args.UsageException("--time: not an ISO 8601 time: " + text);
            }
        }
    }

    static String iso(Date date) {
        return date == null ? null : Instant.ofEpochMilli(date.getTime()).toString();
    }

    /** DSS's SignatureLevel, shortened to the level names Kyso's reports use. */
    static String level(SignatureLevel format) {
        if (format == null) {
            return null;
        }
        switch (format) {
            case PAdES_BASELINE_B, CAdES_BASELINE_B, XAdES_BASELINE_B, JAdES_BASELINE_B:
                return "B-B";
            case PAdES_BASELINE_T, CAdES_BASELINE_T, XAdES_BASELINE_T, JAdES_BASELINE_T:
                return "B-T";
            case PAdES_BASELINE_LT, CAdES_BASELINE_LT, XAdES_BASELINE_LT, JAdES_BASELINE_LT:
                return "B-LT";
            case PAdES_BASELINE_LTA, CAdES_BASELINE_LTA, XAdES_BASELINE_LTA, JAdES_BASELINE_LTA:
                return "B-LTA";
            case CMS_NOT_ETSI, CAdES_BES, CAdES_EPES, CAdES_T, CAdES_LT, CAdES_C, CAdES_X, CAdES_XL, CAdES_A,
                    CAdES_ERS, PKCS7_B, PKCS7_T, PKCS7_LT, PKCS7_LTA:
                return "CMS";
            case PDF_NOT_ETSI, PAdES_BES, PAdES_EPES, PAdES_LTV:
                return "PDF";
            default:
                return null;
        }
    }

    private static String name(Indication i) {
        return i == null ? null : i.name();
    }

    private static String name(SubIndication s) {
        return s == null ? null : s.name();
    }

    private static List<String> messages(List<Message> messages) {
        List<String> out = new ArrayList<>();
        if (messages != null) {
            for (Message m : messages) {
                out.add(m.getValue());
            }
        }
        return out;
    }

    static Map<String, Object> toJson(Reports reports) {
        SimpleReport simple = reports.getSimpleReport();
        DiagnosticData diagnostic = reports.getDiagnosticData();

        List<Object> signatures = new ArrayList<>();
        for (String id : simple.getSignatureIdList()) {
            Map<String, Object> s = Json.object();
            SignatureLevel format = simple.getSignatureFormat(id);
            SignatureWrapper sig = diagnostic.getSignatureById(id);
            s.put("id", id);
            s.put("signatureFormat", format == null ? null : format.toString());
            s.put("level", level(format));
            s.put("indication", name(simple.getIndication(id)));
            s.put("subIndication", name(simple.getSubIndication(id)));
            s.put("signingTime", iso(simple.getSigningTime(id)));
            s.put("bestSignatureTime", iso(simple.getBestSignatureTime(id)));
            s.put("signedBy", simple.getSignedBy(id));
            s.put("digestAlgorithm", sig == null || sig.getDigestAlgorithm() == null ? null : sig.getDigestAlgorithm().getName());
            s.put("encryptionAlgorithm", sig == null || sig.getEncryptionAlgorithm() == null ? null : sig.getEncryptionAlgorithm().getName());
            s.put("keyLength", keyLength(sig == null ? null : sig.getKeyLengthUsedToSignThisToken()));
            s.put("trustedChain", sig != null && sig.isTrustedChain());
            s.put("timestampIds", sig == null ? List.of() : new ArrayList<Object>(sig.getTimestampIdsList()));
            s.put("errors", messages(simple.getAdESValidationErrors(id)));
            s.put("warnings", messages(simple.getAdESValidationWarnings(id)));
            s.put("infos", messages(simple.getAdESValidationInfo(id)));
            signatures.add(s);
        }

        List<Object> timestamps = new ArrayList<>();
        for (TimestampWrapper ts : diagnostic.getTimestampList()) {
            String id = ts.getId();
            Map<String, Object> t = Json.object();
            t.put("id", id);
            t.put("type", ts.getType() == null ? null : ts.getType().name());
            t.put("productionTime", iso(ts.getProductionTime()));
            t.put("indication", name(simple.getIndication(id)));
            t.put("subIndication", name(simple.getSubIndication(id)));
            t.put("errors", messages(simple.getAdESValidationErrors(id)));
            t.put("warnings", messages(simple.getAdESValidationWarnings(id)));
            timestamps.add(t);
        }

        Map<String, Object> out = Json.object();
        out.put("dssVersion", Main.DSS_VERSION);
        out.put("validationTime", iso(simple.getValidationTime()));
        out.put("signatures", signatures);
        out.put("timestamps", timestamps);
        return out;
    }

    private static Object keyLength(String length) {
        if (length == null || length.isEmpty() || length.equals("?")) {
            return null;
        }
        try {
            return Long.parseLong(length);
        } catch (NumberFormatException e) {
            return length;
        }
    }

}

package vn.kyso.dss;

import eu.europa.esig.dss.xml.common.XmlDefinerUtils;
import eu.europa.esig.validationreport.ValidationReportUtils;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.Validator;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code check-etsi-report FILE.xml}: is the file valid against the ETSI TS 119 102-2
 * validation report schema DSS ships ({@code /xsd/1910202xmlSchema.xsd} in
 * specs-validation-report, with the XAdES, XMLDSig and trusted-list schemas it imports)?
 * Every schema error is reported, not only the first.
 */
final class CheckEtsiReport {
    static final Args.Spec SPEC = Args.Spec.of("check-etsi-report", "file", "", "");

    private CheckEtsiReport() {
    }

    static Map<String, Object> run(Args args) {
        File file = new File(args.positional("file"));
        if (!file.isFile()) {
            throw new Args.UsageException("no such file: " + file);
        }
        List<String> errors = new ArrayList<>();
        try {
            Schema schema = ValidationReportUtils.getInstance().getSchema();
            Validator validator = schema.newValidator();
            // Secure processing: no external entities, no DTD.
            XmlDefinerUtils.getInstance().configure(validator);
            validator.setErrorHandler(new ErrorHandler() {
                @Override
                public void warning(SAXParseException e) {
                    // warnings do not make a document invalid
                }

                @Override
                public void error(SAXParseException e) {
                    errors.add(describe(e));
                }

                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    errors.add(describe(e));
                    throw e;
                }
            });
            validator.validate(new StreamSource(file));
        } catch (SAXParseException e) {
            // already recorded by fatalError (not well-formed XML)
            if (errors.isEmpty()) {
                errors.add(describe(e));
            }
        } catch (SAXException | IOException e) {
            errors.add(Main.message(e));
        }
        Map<String, Object> out = Json.object();
        out.put("valid", errors.isEmpty());
        if (!errors.isEmpty()) {
            out.put("errors", errors);
        }
        return out;
    }

    private static String describe(SAXParseException e) {
        return "line " + e.getLineNumber() + ", column " + e.getColumnNumber() + ": " + e.getMessage();
    }
}

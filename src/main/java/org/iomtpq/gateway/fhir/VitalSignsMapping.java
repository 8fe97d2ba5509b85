package org.iomtpq.gateway.fhir;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Observation.ObservationComponentComponent;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.iomtpq.gateway.protocol.Vitals;

/**
 * A stored reading as FHIR R4 Observations following the vital-signs profile (http://hl7.org/fhir/R4/observation-vitalsigns.html):
 * one Observation per vital, blood pressure as ONE panel (85354-9) with systolic and diastolic components, glucose
 * as a {@code laboratory} Observation (it is not a vital sign). LOINC codes, UCUM units, {@code effectiveDateTime} =
 * observedAt, {@code issued} = when the gateway received it, {@code device} → the Device of the deviceId.
 * <p>
 * Identity: each Observation's identifier is {@code sessionId/seq/vital} in {@link #OBSERVATION_SYSTEM}, which no
 * other reading can have (PROTOCOL.md §6: one (sessionId, seq) is stored once), so a conditional create by it makes
 * every retry land on the same resource.
 * <p>
 * Out-of-range values (§6 {@code OUT_OF_RANGE}) are kept as sent, with the interpretation {@code HX}/{@code LX}
 * (above/below the plausible range) and a note saying so: a clinical system must see what the device said.
 * <p>
 * Subject: the profile requires Reference(Patient), and the gateway knows devices, not patients. The reference is
 * logical, by the identifier {@code (patientSystem, deviceId)}: "the patient this device is assigned to", for the
 * receiving system to resolve through its device association; no Patient resource is made up here.
 */
public final class VitalSignsMapping {

    public static final String OBSERVATION_SYSTEM = "urn:iomt-pq:observation";
    public static final String DEVICE_SYSTEM = "urn:iomt-pq:device-id";
    public static final String DEVICE_TYPE_SYSTEM = "urn:iomt-pq:device-type";
    public static final String DEFAULT_PATIENT_SYSTEM = "urn:iomt-pq:patient-of-device";
    static final String LOINC = "http://loinc.org";
    static final String UCUM = "http://unitsofmeasure.org";
    static final String CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category";
    static final String INTERPRETATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
    static final String ABSENT_SYSTEM = "http://terminology.hl7.org/CodeSystem/data-absent-reason";
    static final String PROFILE_BASE = "http://hl7.org/fhir/StructureDefinition/";

    /** One vital's LOINC coding (the first is the profile's code), UCUM unit, profile and category. */
    private record Code(String profile, String category, String unit, String[][] codings) {
    }

    private static final Map<String, Code> CODES = Map.of(
            "heartRate", new Code("heartrate", "vital-signs", "/min", new String[][] {{"8867-4", "Heart rate"}}),
            "respiratoryRate", new Code("resprate", "vital-signs", "/min", new String[][] {{"9279-1", "Respiratory rate"}}),
            "temperature", new Code("bodytemp", "vital-signs", "Cel", new String[][] {{"8310-5", "Body temperature"}}),
            "spo2", new Code("oxygensat", "vital-signs", "%", new String[][] {
                    {"2708-6", "Oxygen saturation in Arterial blood"},
                    {"59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"}}),
            "glucose", new Code(null, "laboratory", "mg/dL", new String[][] {
                    {"41653-7", "Glucose [Mass/volume] in Capillary blood by Glucometer"}}));
    private static final String BP_PANEL = "bp";

    private final String patientSystem;

    public VitalSignsMapping(String patientSystem) {
        this.patientSystem = patientSystem;
    }

    /** The Device resource of a deviceId; its type from the enrolled deviceType. */
    public static Device device(String deviceId, String deviceType) {
        Device device = new Device();
        device.addIdentifier(new Identifier().setSystem(DEVICE_SYSTEM).setValue(deviceId));
        device.setStatus(Device.FHIRDeviceStatus.ACTIVE);
        device.setType(new CodeableConcept(new Coding(DEVICE_TYPE_SYSTEM, deviceType, deviceType)).setText(deviceType));
        device.addDeviceName().setName(deviceId).setType(Device.DeviceNameType.USERFRIENDLYNAME);
        return device;
    }

    /**
     * The Observations of one reading, {@code device} being the reference to its Device resource: blood pressure
     * first (when systolic or diastolic was sent), then the other vitals in §6 order.
     */
    public List<Observation> observations(StoredReading reading, Reference device) {
        List<Observation> out = new ArrayList<>();
        if (reading.vitals().containsKey("systolic") || reading.vitals().containsKey("diastolic")) {
            out.add(bloodPressure(reading, device));
        }
        for (String vital : Vitals.table().keySet()) {
            if (CODES.containsKey(vital) && reading.vitals().containsKey(vital)) {
                out.add(single(reading, device, vital, CODES.get(vital)));
            }
        }
        return out;
    }

    /** The identifier value of the Observation for {@code vital} ({@code bp} for the panel) of a reading. */
    public static String identifierValue(String sessionId, long seq, String vital) {
        return sessionId + "/" + seq + "/" + vital;
    }

    private Observation bloodPressure(StoredReading r, Reference device) {
        Observation o = base(r, device, BP_PANEL, "bp", "vital-signs");
        o.setCode(loinc(new String[][] {{"85354-9", "Blood pressure panel with all children optional"}}));
        o.getCode().setText("Blood pressure");
        o.addComponent(component(r, "systolic", "8480-6", "Systolic blood pressure"));
        o.addComponent(component(r, "diastolic", "8462-4", "Diastolic blood pressure"));
        return o;
    }

    /** A component the device did not send is there with a data-absent reason: the profile requires both. */
    private static ObservationComponentComponent component(StoredReading r, String vital, String code, String display) {
        ObservationComponentComponent c = new ObservationComponentComponent(loinc(new String[][] {{code, display}}));
        BigDecimal value = r.vitals().get(vital);
        if (value == null) {
            c.setDataAbsentReason(new CodeableConcept(new Coding(ABSENT_SYSTEM, "not-performed", "Not Performed")));
            return c;
        }
        c.setValue(quantity(value, "mm[Hg]"));
        interpretation(r, vital, value).ifPresent(c::addInterpretation);
        return c;
    }

    private Observation single(StoredReading r, Reference device, String vital, Code code) {
        Observation o = base(r, device, vital, code.profile(), code.category());
        o.setCode(loinc(code.codings()));
        BigDecimal value = r.vitals().get(vital);
        o.setValue(quantity(value, code.unit()));
        interpretation(r, vital, value).ifPresent(o::addInterpretation);
        return o;
    }

    private Observation base(StoredReading r, Reference device, String vital, String profile, String category) {
        Observation o = new Observation();
        if (profile != null) {
            o.getMeta().addProfile(PROFILE_BASE + profile);
        }
        o.addIdentifier(new Identifier().setSystem(OBSERVATION_SYSTEM).setValue(identifierValue(r.sessionId(), r.seq(), vital)));
        o.setStatus(Observation.ObservationStatus.FINAL);
        o.addCategory(new CodeableConcept(new Coding(CATEGORY_SYSTEM, category,
                "vital-signs".equals(category) ? "Vital Signs" : "Laboratory")));
        o.setSubject(new Reference().setType("Patient")
                .setIdentifier(new Identifier().setSystem(patientSystem).setValue(r.deviceId())));
        o.setEffective(new DateTimeType(r.observedAt()));
        o.setIssued(Date.from(Instant.parse(r.receivedAt())));
        o.setDevice(device);
        for (String outside : r.outOfRange()) {
            if (BP_PANEL.equals(vital) ? outside.equals("systolic") || outside.equals("diastolic") : outside.equals(vital)) {
                o.addNote().setText(outside + " is outside the plausible range of PROTOCOL.md §6 ("
                        + Vitals.spec(outside).map(s -> s.min() + "–" + s.max() + " " + s.unit()).orElse("?")
                        + "); the value is kept as the device sent it");
            }
        }
        return o;
    }

    private static java.util.Optional<CodeableConcept> interpretation(StoredReading r, String vital, BigDecimal value) {
        if (!r.outOfRange().contains(vital)) {
            return java.util.Optional.empty();
        }
        boolean above = Vitals.spec(vital).map(s -> value.compareTo(s.max()) > 0).orElse(false);
        return java.util.Optional.of(new CodeableConcept(above
                ? new Coding(INTERPRETATION_SYSTEM, "HX", "above high threshold")
                : new Coding(INTERPRETATION_SYSTEM, "LX", "below low threshold")));
    }

    private static CodeableConcept loinc(String[][] codings) {
        CodeableConcept c = new CodeableConcept();
        for (String[] coding : codings) {
            c.addCoding(new Coding(LOINC, coding[0], coding[1]));
        }
        return c;
    }

    /** Stored as doubles, values come back as 145.0: written as the device sent them (145), never as 1.45E+2. */
    private static Quantity quantity(BigDecimal value, String ucum) {
        BigDecimal plain = value.stripTrailingZeros();
        if (plain.scale() < 0) {
            plain = plain.setScale(0);
        }
        return new Quantity().setValue(plain).setUnit(ucum).setSystem(UCUM).setCode(ucum);
    }
}

package org.iomtpq.gateway.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every vital's Observation validated by HAPI's instance validator against the R4 core profiles, including the
 * vital-signs profiles it declares (bp, heartrate, resprate, bodytemp, oxygensat): no error. LOINC itself is not
 * available offline, so the validator can only warn about LOINC codes; UCUM units are checked.
 */
class VitalSignsMappingTest {

    private static final FhirContext R4 = FhirContext.forR4Cached();
    private static FhirValidator validator;
    private final VitalSignsMapping mapping = new VitalSignsMapping(VitalSignsMapping.DEFAULT_PATIENT_SYSTEM);
    private static final Reference DEVICE = new Reference("Device/7");

    @BeforeAll
    static void validator() {
        ValidationSupportChain chain = new ValidationSupportChain(new DefaultProfileValidationSupport(R4),
                new CommonCodeSystemsTerminologyService(R4), new InMemoryTerminologyServerValidationSupport(R4),
                new SnapshotGeneratingValidationSupport(R4));
        validator = R4.newValidator().registerValidatorModule(new FhirInstanceValidator(chain));
    }

    private static StoredReading reading(Map<String, String> vitals, Set<String> outOfRange) {
        return new StoredReading("BP_MONITOR_001", "bp-monitor", "c2Vzc2lvbi1pZA+/=", 42, "2026-11-23T19:00:00Z",
                "2026-11-23T19:00:01.250Z",
                vitals.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> new BigDecimal(e.getValue()))),
                outOfRange);
    }

    private static void assertValid(IBaseResource resource) {
        ValidationResult result = validator.validateWithResult(resource);
        List<String> errors = result.getMessages().stream()
                .filter(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
                .map(SingleValidationMessage::toString).toList();
        assertTrue(errors.isEmpty(), () -> R4.newJsonParser().setPrettyPrint(true).encodeResourceToString(resource)
                + "\n" + String.join("\n", errors));
    }

    private Observation only(StoredReading r) {
        List<Observation> all = mapping.observations(r, DEVICE);
        assertEquals(1, all.size());
        return all.get(0);
    }

    @Test
    void bloodPressureIsOnePanelWithBothComponents() {
        Observation bp = only(reading(Map.of("systolic", "145", "diastolic", "92"), Set.of()));
        assertValid(bp);
        assertEquals("85354-9", bp.getCode().getCodingFirstRep().getCode());
        assertEquals("http://hl7.org/fhir/StructureDefinition/bp", bp.getMeta().getProfile().get(0).getValue());
        assertEquals("8480-6", bp.getComponent().get(0).getCode().getCodingFirstRep().getCode());
        assertEquals(0, new BigDecimal("145").compareTo(bp.getComponent().get(0).getValueQuantity().getValue()));
        assertEquals("mm[Hg]", bp.getComponent().get(0).getValueQuantity().getCode());
        assertEquals("8462-4", bp.getComponent().get(1).getCode().getCodingFirstRep().getCode());
        assertEquals(0, new BigDecimal("92").compareTo(bp.getComponent().get(1).getValueQuantity().getValue()));
        assertEquals("vital-signs", bp.getCategoryFirstRep().getCodingFirstRep().getCode());
        assertEquals("2026-11-23T19:00:00Z", bp.getEffectiveDateTimeType().getValueAsString());
        assertEquals("Device/7", bp.getDevice().getReference());
    }

    @Test
    void aPanelWithoutDiastolicSaysWhyItIsAbsent() {
        Observation bp = only(reading(Map.of("systolic", "120"), Set.of()));
        assertValid(bp);
        assertEquals("not-performed", bp.getComponent().get(1).getDataAbsentReason().getCodingFirstRep().getCode());
    }

    @Test
    void eachOtherVitalHasItsLoincCodeUnitAndProfile() {
        Map<String, String[]> expected = Map.of(
                "heartRate", new String[] {"8867-4", "/min", "heartrate", "88"},
                "respiratoryRate", new String[] {"9279-1", "/min", "resprate", "16"},
                "temperature", new String[] {"8310-5", "Cel", "bodytemp", "37.2"},
                "spo2", new String[] {"2708-6", "%", "oxygensat", "96"});
        expected.forEach((vital, e) -> {
            Observation o = only(reading(Map.of(vital, e[3]), Set.of()));
            assertValid(o);
            assertEquals(e[0], o.getCode().getCodingFirstRep().getCode(), vital);
            Quantity q = o.getValueQuantity();
            assertEquals(e[1], q.getCode(), vital);
            assertEquals("http://unitsofmeasure.org", q.getSystem(), vital);
            assertEquals(0, new BigDecimal(e[3]).compareTo(q.getValue()), vital);
            assertEquals("http://hl7.org/fhir/StructureDefinition/" + e[2], o.getMeta().getProfile().get(0).getValue());
            assertEquals("vital-signs", o.getCategoryFirstRep().getCodingFirstRep().getCode(), vital);
        });
    }

    @Test
    void valuesAreWrittenAsSentNotAsTheStoredDoubles() {
        Observation o = only(reading(Map.of("heartRate", "140.0"), Set.of()));
        String json = R4.newJsonParser().encodeResourceToString(o);
        assertTrue(json.contains("\"value\":140,"), json);
        Observation t = only(reading(Map.of("temperature", "37.20"), Set.of()));
        assertTrue(R4.newJsonParser().encodeResourceToString(t).contains("\"value\":37.2,"));
    }

    @Test
    void spo2CarriesBothLoincCodes() {
        Observation o = only(reading(Map.of("spo2", "97"), Set.of()));
        assertEquals(List.of("2708-6", "59408-5"), o.getCode().getCoding().stream().map(c -> c.getCode()).toList());
    }

    @Test
    void glucoseIsALaboratoryObservation() {
        Observation o = only(reading(Map.of("glucose", "105"), Set.of()));
        assertValid(o);
        assertEquals("laboratory", o.getCategoryFirstRep().getCodingFirstRep().getCode());
        assertEquals("41653-7", o.getCode().getCodingFirstRep().getCode());
        assertEquals("mg/dL", o.getValueQuantity().getCode());
        assertTrue(o.getMeta().getProfile().isEmpty());
    }

    @Test
    void aFullReadingGivesOneObservationPerVitalWithDistinctStableIdentifiers() {
        StoredReading r = reading(Map.of("systolic", "145", "diastolic", "92", "heartRate", "88", "spo2", "96",
                "temperature", "37.2", "respiratoryRate", "14", "glucose", "99"), Set.of());
        List<Observation> all = mapping.observations(r, DEVICE);
        assertEquals(6, all.size()); // bp panel + 5
        all.forEach(VitalSignsMappingTest::assertValid);
        Set<String> ids = all.stream().map(o -> o.getIdentifierFirstRep().getValue()).collect(Collectors.toSet());
        assertEquals(6, ids.size());
        assertTrue(ids.contains("c2Vzc2lvbi1pZA+/=/42/bp"), ids::toString);
        List<String> again = mapping.observations(r, DEVICE).stream().map(o -> o.getIdentifierFirstRep().getValue()).toList();
        assertEquals(all.stream().map(o -> o.getIdentifierFirstRep().getValue()).toList(), again);
    }

    @Test
    void anOutOfRangeValueIsKeptWithAnInterpretationAndANote() {
        Observation hr = only(reading(Map.of("heartRate", "310"), Set.of("heartRate")));
        assertValid(hr);
        assertEquals(0, new BigDecimal("310").compareTo(hr.getValueQuantity().getValue()));
        assertEquals("HX", hr.getInterpretationFirstRep().getCodingFirstRep().getCode());
        assertTrue(hr.getNoteFirstRep().getText().contains("outside the plausible range"));
        Observation bp = only(reading(Map.of("systolic", "30", "diastolic", "20"), Set.of("systolic")));
        assertValid(bp);
        assertEquals("LX", bp.getComponent().get(0).getInterpretationFirstRep().getCodingFirstRep().getCode());
        assertTrue(bp.getComponent().get(1).getInterpretation().isEmpty());
    }

    /** The check above is real: the vital-signs profile's rules are applied (subject 1..1, UCUM units). */
    @Test
    void theValidatorRefusesWhatTheProfileForbids() {
        Observation noSubject = only(reading(Map.of("heartRate", "70"), Set.of()));
        noSubject.setSubject(null);
        Observation wrongUnit = only(reading(Map.of("heartRate", "70"), Set.of()));
        wrongUnit.getValueQuantity().setCode("mm[Hg]");
        for (Observation bad : List.of(noSubject, wrongUnit)) {
            assertTrue(validator.validateWithResult(bad).getMessages().stream()
                    .anyMatch(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal()));
        }
    }

    @Test
    void theSubjectIsALogicalPatientReferenceByTheDevice() {
        Observation o = only(reading(Map.of("heartRate", "70"), Set.of()));
        assertEquals("Patient", o.getSubject().getType());
        assertEquals(VitalSignsMapping.DEFAULT_PATIENT_SYSTEM, o.getSubject().getIdentifier().getSystem());
        assertEquals("BP_MONITOR_001", o.getSubject().getIdentifier().getValue());
    }

    @Test
    void theDeviceIsIdentifiedByItsDeviceIdAndTypedByItsDeviceType() {
        Device d = VitalSignsMapping.device("PULSE_OX_9", "pulse-oximeter");
        assertValid(d);
        assertEquals("PULSE_OX_9", d.getIdentifierFirstRep().getValue());
        assertEquals("pulse-oximeter", d.getType().getCodingFirstRep().getCode());
    }
}

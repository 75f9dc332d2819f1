// Wire-format oracle: Java Avro 1.12.1's GenericDatumReader and GenericDatumWriter.
//   java JavaWire read SCHEMA_FILE... DATUM_FILE
//       parses the schemas in order (references first; the last is the writer schema), reads
//       the Avro datum with GenericDatumReader and prints the record as Avro JSON;
//   java JavaWire write SCHEMA_FILE... JSON_FILE OUT_FILE
//       reads the Avro-JSON value with the last schema and writes it as a binary datum.
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;

public class JavaWire {
  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int schemas = args.length - (mode.equals("read") ? 2 : 3);
    Schema.Parser p = new Schema.Parser();
    Schema schema = null;
    for (int i = 1; i <= schemas; i++) {
      schema = p.parse(new String(Files.readAllBytes(Paths.get(args[i])), StandardCharsets.UTF_8));
    }
    if (mode.equals("read")) {
      byte[] data = Files.readAllBytes(Paths.get(args[args.length - 1]));
      BinaryDecoder in = DecoderFactory.get().binaryDecoder(data, null);
      Object value = new GenericDatumReader<Object>(schema).read(null, in);
      if (!in.isEnd()) throw new IllegalStateException("bytes left after the datum");
      ByteArrayOutputStream json = new ByteArrayOutputStream();
      JsonEncoder enc = EncoderFactory.get().jsonEncoder(schema, json);
      new GenericDatumWriter<Object>(schema).write(value, enc);
      enc.flush();
      System.out.println(json.toString("UTF-8"));
    } else {
      String json = new String(Files.readAllBytes(Paths.get(args[args.length - 2])), StandardCharsets.UTF_8);
      Object value = new GenericDatumReader<Object>(schema).read(null, DecoderFactory.get().jsonDecoder(schema, json));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<Object>(schema).write(value, enc);
      enc.flush();
      Files.write(Paths.get(args[args.length - 1]), out.toByteArray());
    }
  }
}

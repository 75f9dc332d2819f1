import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads keys from stdin, one per line, and prints for each the partition of the data
 * platform's own formula, {@code Math.abs(key.hashCode()) % partitions}, as Java computes it.
 *
 * <p>usage: java JavaPartition PARTITIONS &lt; keys
 */
public final class JavaPartition {
    public static void main(String[] args) throws Exception {
        int partitions = Integer.parseInt(args[0]);
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        for (String key; (key = in.readLine()) != null; ) {
            out.append(key.hashCode()).append(' ')
                    .append(Math.abs(key.hashCode()) % partitions).append('\n');
        }
        System.out.print(out);
    }
}

import { Table, Text } from '@mantine/core';
import { cellValue, type HeatMatrix } from './heat';
import { keyboardScrollable } from './keyboardScroll';

interface Props {
  matrix: HeatMatrix;
  caption: string;
  cornerLabel: string;
  rowLabel: (key: string) => string;
  columnLabel: (key: string) => string;
}

/** A heat map that is a real table: every cell carries its number, the shade only adds to it. */
export function HeatTable({ matrix, caption, cornerLabel, rowLabel, columnLabel }: Props) {
  const shade = (value: number) => {
    if (!value || !matrix.max) return 'transparent';
    // At most 0.72 of blue.8 over white: dark text keeps 6:1 on the strongest shade, where white
    // text would fall under 4.5:1 on every shade but the very darkest (axe flagged 3:1).
    const strength = 0.12 + 0.6 * (value / matrix.max);
    return `rgba(25, 113, 194, ${strength.toFixed(2)})`;
  };
  return (
    <Table.ScrollContainer scrollAreaProps={keyboardScrollable} minWidth={Math.max(480, 140 + matrix.columns.length * 90)}>
      <Table withTableBorder withColumnBorders aria-label={caption} fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{cornerLabel}</Table.Th>
            {matrix.columns.map((column) => <Table.Th key={column} scope="col" ta="center">{columnLabel(column)}</Table.Th>)}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {matrix.rows.map((row) => (
            <Table.Tr key={row}>
              <Table.Th scope="row" fw={500}>{rowLabel(row)}</Table.Th>
              {matrix.columns.map((column) => {
                const value = cellValue(matrix, row, column);
                return (
                  <Table.Td key={column} ta="center" style={{ background: shade(value) }}>
                    <Text span size="sm" fw={value ? 600 : 400} c={value ? 'dark.9' : 'gray.7'}>{value}</Text>
                  </Table.Td>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

// The demo city: its organisations, catalogue and the names used to generate suppliers and experts.
export const CITY = { nameZh: '阳光市', nameEn: 'Sunshine City', region: '330100' };

/**
 * The one spelling of an organisation's name in each language: the city's name and the unit's
 * (`市教育局` → `阳光市教育局`, `Education Bureau` → `Sunshine City Education Bureau`). The seed
 * writes these into `organisations`; every other demo text that names a unit (account names,
 * tender descriptions) reads them from there or from here, never spells them again.
 */
export const orgNameZh = (zh: string) => CITY.nameZh + zh.replace(/^市/, '');
export const orgNameEn = (en: string) => `${CITY.nameEn} ${en}`;
const ALL_ORGS = () => [...CENTRAL_ORGS, ...PURCHASING_UNITS];
/** An organisation's name by its code, in both languages. */
export function orgName(code: string): { zh: string; en: string } {
  const o = ALL_ORGS().find(([c]) => c === code);
  if (!o) throw new Error(`no demo organisation ${code}`);
  return { zh: orgNameZh(o[1]), en: orgNameEn(o[2]) };
}

// [code, zh, en, department]
export const PURCHASING_UNITS: Array<[string, string, string, string]> = [
  ['PU01', '市教育局', 'Education Bureau', 'education'],
  ['PU02', '市第一中学', 'No. 1 Middle School', 'education'],
  ['PU03', '市职业技术学院', 'Vocational and Technical College', 'education'],
  ['PU04', '市卫生健康委员会', 'Health Commission', 'health'],
  ['PU05', '市第一人民医院', 'First People\'s Hospital', 'health'],
  ['PU06', '市疾病预防控制中心', 'Center for Disease Control', 'health'],
  ['PU07', '市医疗保障局', 'Healthcare Security Bureau', 'health'],
  ['PU08', '市公安局', 'Public Security Bureau', 'public_security'],
  ['PU09', '市司法局', 'Justice Bureau', 'public_security'],
  ['PU10', '市应急管理局', 'Emergency Management Bureau', 'public_security'],
  ['PU11', '市交通运输局', 'Transport Bureau', 'infrastructure'],
  ['PU12', '市住房和城乡建设局', 'Housing and Urban-Rural Development Bureau', 'infrastructure'],
  ['PU13', '市水务局', 'Water Resources Bureau', 'infrastructure'],
  ['PU14', '市城市管理局', 'Urban Management Bureau', 'infrastructure'],
  ['PU15', '市自然资源和规划局', 'Natural Resources and Planning Bureau', 'infrastructure'],
  ['PU16', '市生态环境局', 'Ecology and Environment Bureau', 'environment'],
  ['PU17', '市林业局', 'Forestry Bureau', 'environment'],
  ['PU18', '市农业农村局', 'Agriculture and Rural Affairs Bureau', 'environment'],
  ['PU19', '市民政局', 'Civil Affairs Bureau', 'social'],
  ['PU20', '市人力资源和社会保障局', 'Human Resources and Social Security Bureau', 'social'],
  ['PU21', '市退役军人事务局', 'Veterans Affairs Bureau', 'social'],
  ['PU22', '市文化广电旅游局', 'Culture, Radio, TV and Tourism Bureau', 'culture'],
  ['PU23', '市图书馆', 'City Library', 'culture'],
  ['PU24', '市体育局', 'Sports Bureau', 'culture'],
  ['PU25', '市档案馆', 'City Archives', 'culture'],
  ['PU26', '市科学技术局', 'Science and Technology Bureau', 'economy'],
  ['PU27', '市工业和信息化局', 'Industry and Information Technology Bureau', 'economy'],
  ['PU28', '市商务局', 'Commerce Bureau', 'economy'],
  ['PU29', '市市场监督管理局', 'Market Regulation Bureau', 'economy'],
  ['PU30', '市统计局', 'Statistics Bureau', 'economy'],
  ['PU31', '市审计局', 'Audit Bureau', 'economy'],
];

export const CENTRAL_ORGS: Array<[string, string, string, string]> = [
  ['FB', '市财政局', 'Finance Bureau', 'finance_bureau'],
  ['PC', '市政府采购中心', 'Government Procurement Centre', 'procurement_centre'],
  ['SO', '市政府采购监督管理办公室', 'Procurement Supervision Office', 'supervisors_office'],
];

// [code, parent, kind, zh, en, frameworkAgreement]
export const CATALOGUE: Array<[string, string | null, 'goods' | 'services' | 'works', string, string, boolean]> = [
  ['A', null, 'goods', '货物', 'Goods', false],
  ['A02', 'A', 'goods', '设备', 'Equipment', false],
  ['A02010104', 'A02', 'goods', '台式计算机', 'Desktop computers', true],
  ['A02010105', 'A02', 'goods', '便携式计算机', 'Laptop computers', true],
  ['A02010108', 'A02', 'goods', '平板式微型计算机', 'Tablet computers', true],
  ['A02010201', 'A02', 'goods', '服务器', 'Servers', false],
  ['A02010302', 'A02', 'goods', '交换机', 'Network switches', false],
  ['A02020100', 'A02', 'goods', '复印机', 'Copiers', true],
  ['A02020800', 'A02', 'goods', '投影仪', 'Projectors', true],
  ['A02021003', 'A02', 'goods', '激光打印机', 'Laser printers', true],
  ['A02061800', 'A02', 'goods', '空调机', 'Air conditioners', true],
  ['A02030500', 'A02', 'goods', '乘用车', 'Passenger vehicles', false],
  ['A02320000', 'A02', 'goods', '医疗设备', 'Medical equipment', false],
  ['A05', 'A', 'goods', '家具用具', 'Furniture', false],
  ['A05010100', 'A05', 'goods', '办公桌椅', 'Office desks and chairs', true],
  ['A08', 'A', 'goods', '纸及纸制品', 'Paper products', false],
  ['A08060301', 'A08', 'goods', '复印纸', 'Copy paper', true],
  ['C', null, 'services', '服务', 'Services', false],
  ['C1601', 'C', 'services', '软件开发服务', 'Software development', false],
  ['C1603', 'C', 'services', '信息系统集成实施服务', 'Systems integration', false],
  ['C1605', 'C', 'services', '运行维护服务', 'IT operations and maintenance', false],
  ['C2101', 'C', 'services', '物业管理服务', 'Property management', false],
  ['C2301', 'C', 'services', '法律服务', 'Legal services', false],
  ['C2302', 'C', 'services', '会计服务', 'Accounting and audit services', false],
  ['C0801', 'C', 'services', '印刷服务', 'Printing services', false],
  ['C1101', 'C', 'services', '车辆维修和保养服务', 'Vehicle repair and maintenance', false],
  ['C1204', 'C', 'services', '保洁服务', 'Cleaning services', false],
  ['B', null, 'works', '工程', 'Works', false],
  ['B01', 'B', 'works', '房屋施工', 'Building construction', false],
  ['B02', 'B', 'works', '构筑物施工', 'Civil structures', false],
  ['B06', 'B', 'works', '建筑安装工程', 'Building installation works', false],
  ['B07', 'B', 'works', '装修工程', 'Renovation works', false],
  ['B08', 'B', 'works', '修缮工程', 'Repair works', false],
];

// Brands and models for catalogue goods (framework-agreement goods need several brands).
export const BRANDS: Record<string, Array<[string, string[]]>> = {
  A02010104: [['联想 Lenovo', ['开天M90n', '启天M437']], ['华为 Huawei', ['擎云W515x', 'MateStation B515']], ['清华同方 Tongfang', ['超翔Z8000']], ['长城 Great Wall', ['世恒TN140']], ['浪潮 Inspur', ['CE520L']], ['中科曙光 Sugon', ['H620-G30']]],
  A02010105: [['联想 Lenovo', ['昭阳K4e', 'ThinkPad E14']], ['华为 Huawei', ['擎云L420x']], ['清华同方 Tongfang', ['超锐L860']], ['长城 Great Wall', ['UF712']]],
  A02010108: [['华为 Huawei', ['MatePad 11.5']], ['联想 Lenovo', ['小新Pad Pro']], ['小米 Xiaomi', ['Pad 6']]],
  A02010201: [['浪潮 Inspur', ['NF5280M7']], ['华为 Huawei', ['TaiShan 200']], ['新华三 H3C', ['UniServer R4900 G5']], ['中科曙光 Sugon', ['I620-G30']]],
  A02010302: [['华为 Huawei', ['S5735-L48T4S']], ['新华三 H3C', ['S5130S-52S']], ['锐捷 Ruijie', ['RG-S5750']]],
  A02020100: [['理光 Ricoh', ['IM C3000']], ['柯尼卡美能达 Konica Minolta', ['bizhub C300i']], ['京瓷 Kyocera', ['TASKalfa 3554ci']], ['东芝 Toshiba', ['e-STUDIO 3528A']], ['夏普 Sharp', ['MX-C3082R']]],
  A02020800: [['爱普生 Epson', ['CB-2265U']], ['明基 BenQ', ['E580']], ['索尼 Sony', ['VPL-EW578']], ['极米 XGIMI', ['RS 10']]],
  A02021003: [['奔图 Pantum', ['P3305DN', 'M7160DW']], ['联想 Lenovo', ['LJ2405D']], ['惠普 HP', ['LaserJet M405dn']], ['佳能 Canon', ['LBP223dw']], ['兄弟 Brother', ['HL-5595DN']], ['得力 Deli', ['P2500DNW']]],
  A02061800: [['格力 Gree', ['KFR-35GW', 'KFR-72LW']], ['美的 Midea', ['KFR-35GW/N8']], ['海尔 Haier', ['KFR-35GW/81@U1']], ['海信 Hisense', ['KFR-35GW/E500']], ['奥克斯 AUX', ['KFR-35GW/BpR3']]],
  A02030500: [['比亚迪 BYD', ['秦PLUS DM-i']], ['红旗 Hongqi', ['H5']], ['吉利 Geely', ['帝豪L']]],
  A02320000: [['迈瑞 Mindray', ['BeneVision N15']], ['联影 United Imaging', ['uCT 528']], ['鱼跃 Yuwell', ['YH-830']]],
  A05010100: [['震旦 Aurora', ['AK-1600']], ['圣奥 Sunon', ['S-6612']], ['冠美 Guanmei', ['GM-2210']]],
  A08060301: [['得力 Deli', ['A4 70g']], ['晨光 M&G', ['A4 70g']], ['亚太森博 APP', ['百旺 A4 70g']], ['华夏太阳 Sun', ['A4 80g']]],
};

export const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'.split('');
export const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华飞玉兰萍红建国志宏海波鹏辉斌宇浩凯健俊帆帅旭宁龙林欣晨晓婷雪琳颖瑶怡佳慧'.split('');
// Experts by field: the catalogue categories a field's experts evaluate, with the titles and
// employers such experts have (a chief physician evaluates medical equipment, a lawyer legal
// services). `weight` is the field's share of the library.
export const EXPERT_FIELDS: Array<{ field: string; weight: number; specialties: string[]; titles: string[]; employers: string[] }> = [
  { field: 'it', weight: 28, specialties: ['A02010104', 'A02010105', 'A02010108', 'A02010201', 'A02010302', 'C1601', 'C1603', 'C1605'], titles: ['教授', '副教授', '高级工程师', '正高级工程师', '研究员'], employers: ['阳光大学', '阳光理工大学', '省计算技术研究所', '省通信规划设计院'] },
  { field: 'office', weight: 14, specialties: ['A02020100', 'A02020800', 'A02021003', 'A08060301', 'A05010100', 'C0801'], titles: ['高级工程师', '高级经济师', '副教授'], employers: ['省电子产品质量监督检验所', '阳光师范学院', '省产品质量监督检验研究院'] },
  { field: 'machinery', weight: 10, specialties: ['A02061800', 'A02030500', 'C1101'], titles: ['高级工程师', '正高级工程师', '副教授'], employers: ['阳光理工大学', '省机动车检测中心', '省特种设备检验研究院'] },
  { field: 'medical', weight: 8, specialties: ['A02320000'], titles: ['主任医师', '副主任医师', '高级工程师'], employers: ['省人民医院', '省中医院', '省医疗器械检验研究院'] },
  { field: 'works', weight: 16, specialties: ['B01', 'B02', 'B06', 'B07', 'B08'], titles: ['高级工程师', '正高级工程师', '教授'], employers: ['省建筑设计研究院', '省工程造价咨询中心', '省交通规划设计院', '阳光理工大学'] },
  { field: 'facilities', weight: 9, specialties: ['C2101', 'C1204'], titles: ['高级经济师', '高级工程师'], employers: ['省物业管理协会', '阳光大学后勤管理处'] },
  { field: 'legal', weight: 7, specialties: ['C2301'], titles: ['律师', '教授'], employers: ['明正律师事务所', '阳光大学法学院'] },
  { field: 'accounting', weight: 8, specialties: ['C2302'], titles: ['高级会计师', '副教授'], employers: ['阳光会计师事务所', '阳光大学会计学院'] },
];
export const SUPPLIER_WORDS = ['华创', '信达', '中科', '博远', '天成', '恒通', '瑞丰', '东方', '金桥', '宏图', '万达', '安捷', '联合', '正泰', '九州', '新锐', '远景', '智联', '德胜', '同舟', '长风', '启明', '盛世', '鼎新', '汇通', '北辰', '海纳', '星河', '嘉禾', '永安', '开元', '卓越'];
export const SUPPLIER_TRADES: Array<[string, string[]]> = [
  ['信息技术有限公司', ['A02010104', 'A02010105', 'A02010108', 'A02010201', 'A02010302', 'C1601', 'C1603', 'C1605']],
  ['办公设备有限公司', ['A02020100', 'A02020800', 'A02021003', 'A08060301', 'A05010100']],
  ['机电设备有限公司', ['A02061800', 'A02030500', 'C1101']],
  ['医疗器械有限公司', ['A02320000']],
  ['物业服务有限公司', ['C2101', 'C1204']],
  ['建设工程有限公司', ['B01', 'B02', 'B06', 'B07', 'B08']],
  ['专业服务有限公司', ['C2301', 'C2302', 'C0801']],
];

package demo

import (
	"math"
	"math/rand/v2"
	"strings"
)

// The word lists below were written for Shebao's demo: common surnames and
// name characters as anyone would list them, not copied from a name data
// set. The names they make are invented.

// surnames in rough order of frequency; pick favours the front.
var surnames = splitRunes("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")

var compoundSurnames = []string{"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙"}

var (
	maleChars    = splitRunes("伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘")
	femaleChars  = splitRunes("秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽")
	neutralChars = splitRunes("一子文明佳晓嘉欣宇安思雨晨清新乐怡然辰逸宁和平远志诚信")
)

func splitRunes(s string) []string {
	out := make([]string, 0, len(s)/3)
	for _, r := range s {
		out = append(out, string(r))
	}
	return out
}

// pickFront picks from list favouring its front (rank weights ~ 1/(rank+4)).
func pickFront(r *rand.Rand, list []string) string {
	// Inverse of a 1/(x+4) density over [0, n): x = 4·((n+4)/4)^u − 4.
	n := float64(len(list))
	x := 4*math.Pow(1+n/4, r.Float64()) - 4
	i := int(x)
	if i >= len(list) {
		i = len(list) - 1
	}
	return list[i]
}

// personName makes a plausible Chinese name for the gender.
func personName(r *rand.Rand, male bool) string {
	var b strings.Builder
	if r.IntN(200) == 0 {
		b.WriteString(compoundSurnames[r.IntN(len(compoundSurnames))])
	} else {
		b.WriteString(pickFront(r, surnames))
	}
	chars := femaleChars
	if male {
		chars = maleChars
	}
	given := 2
	if r.IntN(10) < 3 {
		given = 1
	}
	for i := 0; i < given; i++ {
		if r.IntN(6) == 0 {
			b.WriteString(neutralChars[r.IntN(len(neutralChars))])
		} else {
			b.WriteString(chars[r.IntN(len(chars))])
		}
	}
	return b.String()
}

// Employer names: 北京 + a trade name (字号) + the industry's words + the
// legal form.
var (
	tradeChars = splitRunes("恒信达华泰安盛鼎宏远博通瑞丰嘉禾中天宇新启明东方正源祥和金辉永利创捷智诚汇众联科睿德润海晟鑫隆昌荣凯旭鸿卓越佳美尚品优思益康宁致同方圆明阳晨光万象合力天成广厚立行锦程星辰绿洲")
	legalForms = []string{"有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司"}
	streets    = []string{"建国路", "朝阳路", "东三环中路", "光华路", "酒仙桥路", "望京街", "阜通东大街", "北苑路", "安立路", "来广营西路", "十里堡路", "青年路", "高碑店路", "双桥中路", "定福庄东街", "南磨房路", "垡头路", "小营路", "大屯路", "广顺北大街"}
	banks      = []string{"中国工商银行北京朝阳支行", "中国农业银行北京望京支行", "中国银行北京国贸支行", "中国建设银行北京朝阳路支行", "交通银行北京三元支行", "招商银行北京大屯路支行", "北京银行酒仙桥支行", "中国邮政储蓄银行北京朝阳区支行"}
)

// industry is a line of business with its work-injury risk class (人社部发
// 〔2015〕71号 classification, simplified for the demo) and how common it
// is among the district's employers.
type industry struct {
	Name   string
	Class  int
	Words  []string
	Weight int
}

var industries = []industry{
	{"软件和信息技术服务业", 1, []string{"软件", "信息技术", "网络科技", "数据服务"}, 14},
	{"货币金融服务", 1, []string{"投资咨询", "金融服务"}, 3},
	{"科技推广和应用服务业", 1, []string{"科技发展", "技术推广"}, 4},
	{"批发业", 2, []string{"商贸", "贸易", "供应链管理"}, 12},
	{"零售业", 2, []string{"商业", "超市", "便利店"}, 10},
	{"餐饮业", 2, []string{"餐饮管理", "餐饮", "食品"}, 8},
	{"住宿业", 2, []string{"酒店管理", "宾馆"}, 3},
	{"商务服务业", 2, []string{"企业管理咨询", "人力资源服务", "广告", "会展服务"}, 10},
	{"房地产业", 2, []string{"房地产开发", "物业管理", "房地产经纪"}, 5},
	{"教育", 2, []string{"教育科技", "培训"}, 3},
	{"卫生", 2, []string{"医疗管理", "诊所"}, 2},
	{"居民服务业", 2, []string{"家政服务", "保洁服务", "美容美发"}, 4},
	{"计算机、通信和其他电子设备制造业", 3, []string{"电子", "通信设备"}, 2},
	{"印刷和记录媒介复制业", 3, []string{"印刷", "包装印务"}, 1},
	{"食品制造业", 3, []string{"食品", "烘焙"}, 2},
	{"娱乐业", 3, []string{"文化娱乐", "健身"}, 2},
	{"道路运输业", 4, []string{"运输", "物流", "汽车租赁"}, 4},
	{"通用设备制造业", 4, []string{"机械设备", "设备制造"}, 1},
	{"电力、热力生产和供应业", 4, []string{"热力", "能源"}, 1},
	{"装卸搬运和运输代理业", 5, []string{"货运代理", "装卸服务"}, 2},
	{"房屋建筑业", 5, []string{"建筑工程", "建设"}, 3},
	{"建筑安装业", 5, []string{"机电安装", "建筑安装工程"}, 2},
	{"建筑装饰、装修和其他建筑业", 5, []string{"装饰工程", "装饰设计"}, 3},
	{"非金属矿物制品业", 5, []string{"建材", "混凝土"}, 1},
	{"化学原料和化学制品制造业", 6, []string{"化工"}, 1},
	{"石油和天然气开采业", 7, []string{"石油技术服务"}, 1},
	{"有色金属矿采选业", 8, []string{"矿业"}, 1},
}

var industryTotal = func() int {
	t := 0
	for _, i := range industries {
		t += i.Weight
	}
	return t
}()

func pickIndustry(r *rand.Rand) industry {
	n := r.IntN(industryTotal)
	for _, i := range industries {
		if n < i.Weight {
			return i
		}
		n -= i.Weight
	}
	return industries[0]
}

func employerName(r *rand.Rand, in industry) string {
	t := tradeChars[r.IntN(len(tradeChars))] + tradeChars[r.IntN(len(tradeChars))]
	return "北京" + t + in.Words[r.IntN(len(in.Words))] + legalForms[r.IntN(len(legalForms))]
}
